import PlanSyncCore
import Testing

@Suite("Version vectors")
struct VersionVectorTests {
    let a = ReplicaID("a")
    let b = ReplicaID("b")

    @Test func descendsAndDominates() {
        let older = VersionVector([a: 1])
        let newer = VersionVector([a: 2, b: 1])
        #expect(newer.descends(older))
        #expect(newer.dominates(older))
        #expect(!older.descends(newer))
        #expect(newer.descends(newer))
        #expect(!newer.dominates(newer))
        #expect(VersionVector().descends(VersionVector()))
    }

    static let orders: [([(String, UInt64)], [(String, UInt64)], CausalOrder)] = [
        ([("a", 1)], [("a", 1)], CausalOrder.equal),
        ([("a", 1)], [("a", 2)], .before),
        ([("a", 2), ("b", 1)], [("a", 2)], .after),
        ([("a", 2)], [("b", 1)], .concurrent),
        ([("a", 3), ("b", 1)], [("a", 1), ("b", 2)], .concurrent),
        ([], [("a", 1)], .before),
    ]

    @Test(arguments: orders)
    func compare(left: [(String, UInt64)], right: [(String, UInt64)], expected: CausalOrder) {
        let l = VersionVector(Dictionary(uniqueKeysWithValues: left.map { (ReplicaID($0.0), $0.1) }))
        let r = VersionVector(Dictionary(uniqueKeysWithValues: right.map { (ReplicaID($0.0), $0.1) }))
        #expect(l.compare(r) == expected)
    }

    @Test func mergeIsEntryWiseMaximum() {
        let merged = VersionVector([a: 3, b: 1]).merged(with: VersionVector([b: 4]))
        #expect(merged == VersionVector([a: 3, b: 4]))
        #expect(merged.descends(VersionVector([a: 3, b: 1])))
        #expect(merged.descends(VersionVector([b: 4])))
    }

    @Test func advanceMintsTheNextDotAndCoversIt() {
        var vector = VersionVector([a: 2])
        let dot = vector.advance(a)
        #expect(dot == Dot(a, 3))
        #expect(vector.covers(dot))
        #expect(!vector.covers(Dot(a, 4)))
        #expect(!vector.covers(Dot(b, 1)))
    }

    @Test func zeroCountersAreNotStored() {
        #expect(VersionVector([a: 0]) == VersionVector())
    }
}

@Suite("Hybrid logical clock")
struct HybridLogicalClockTests {
    @Test func staysMonotonicWhenTheWallClockGoesBack() throws {
        var clock = HybridLogicalClock(replica: ReplicaID("a"))
        let first = try clock.tick(now: 100)
        let second = try clock.tick(now: 50)
        #expect(second > first)
        #expect(second.wall == 100 && second.logical == 1)
    }

    @Test func ordersAfterAnythingObserved() throws {
        var clock = HybridLogicalClock(replica: ReplicaID("a"))
        let adopted = clock.observe(HybridTimestamp(wall: 5_000, logical: 7, replica: ReplicaID("z")), limit: 10_000)
        #expect(adopted)
        let next = try clock.tick(now: 10)
        #expect(next > HybridTimestamp(wall: 5_000, logical: 7, replica: ReplicaID("z")))
    }

    /// CAUSALITY case 17: the poisoned timestamp of issue 10 is never adopted, and ticking never traps.
    @Test(arguments: [
        HybridTimestamp(wall: 9_223_372_036_854_775_807, logical: 4_294_967_295, replica: ReplicaID("z")),
        HybridTimestamp(wall: 1_000, logical: 4_294_967_295, replica: ReplicaID("z")),
        HybridTimestamp(wall: 1_000 + CausalBounds.maxDrift + 1, logical: 0, replica: ReplicaID("z")),
    ])
    func refusesToAdoptATimestampBeyondTheBound(poison: HybridTimestamp) throws {
        var clock = HybridLogicalClock(replica: ReplicaID("a"))
        let adopted = clock.observe(poison, limit: 1_000 + CausalBounds.maxDrift)
        #expect(!adopted)
        let next = try clock.tick(now: 1_000)
        #expect(next.wall == 1_000 && next.logical == 0)
    }

    @Test func aFullLogicalCounterMovesTheWallOnInsteadOfTrapping() throws {
        var clock = HybridLogicalClock(replica: ReplicaID("a"), wall: 5_000, logical: CausalBounds.maxLogical)
        let next = try clock.tick(now: 10)
        #expect(next.wall == 5_001 && next.logical == 0)
        var last = HybridLogicalClock(replica: ReplicaID("a"), wall: CausalBounds.maxWall, logical: CausalBounds.maxLogical)
        #expect(throws: ClockError.self) { try last.tick(now: 10) }
        var broken = HybridLogicalClock(replica: ReplicaID("a"))
        #expect(throws: ClockError.self) { try broken.tick(now: UInt64.max) }
    }

    @Test func aClockAheadIsSetBackAndOnlyOwnLateEntriesAreRestamped() throws {
        let me = ReplicaID("a")
        var clock = HybridLogicalClock(replica: me)
        let future: UInt64 = 50 * 365 * 86_400_000
        var state = RecordState(id: "p/A.1", collection: "activity")
        try state.apply(.set(field: "comment", value: "typed"), schema: .planSync, by: Writer(time: try clock.tick(now: future), author: "x"))
        #expect(clock.isAhead(of: 10_000))
        clock.rewind(to: 9_000)
        let restamped = try state.restamped(by: me, beyond: 10_000, clock: &clock, now: 9_000)
        #expect(restamped.fields["comment"]?.first?.time.wall == 9_000)
        #expect(restamped.fields["comment"]?.first?.dot == state.fields["comment"]?.first?.dot)
        #expect(restamped.fields["comment"]?.first?.value == "typed")
        #expect(try restamped.restamped(by: ReplicaID("b"), beyond: 0, clock: &clock, now: 9_000) == restamped)
    }

    @Test func tiesBreakByReplica() {
        let low = HybridTimestamp(wall: 1, logical: 0, replica: ReplicaID("a"))
        let high = HybridTimestamp(wall: 1, logical: 0, replica: ReplicaID("b"))
        #expect(low < high)
    }
}
