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
    @Test func staysMonotonicWhenTheWallClockGoesBack() {
        var clock = HybridLogicalClock(replica: ReplicaID("a"))
        let first = clock.tick(now: 100)
        let second = clock.tick(now: 50)
        #expect(second > first)
        #expect(second.wall == 100 && second.logical == 1)
    }

    @Test func ordersAfterAnythingObserved() {
        var clock = HybridLogicalClock(replica: ReplicaID("a"))
        clock.observe(HybridTimestamp(wall: 5_000, logical: 7, replica: ReplicaID("z")))
        let next = clock.tick(now: 10)
        #expect(next > HybridTimestamp(wall: 5_000, logical: 7, replica: ReplicaID("z")))
    }

    @Test func tiesBreakByReplica() {
        let low = HybridTimestamp(wall: 1, logical: 0, replica: ReplicaID("a"))
        let high = HybridTimestamp(wall: 1, logical: 0, replica: ReplicaID("b"))
        #expect(low < high)
    }
}
