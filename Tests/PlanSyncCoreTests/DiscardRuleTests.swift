import PlanSyncCore
import Testing

/// The discard rule (`RecordState.discarding`): queued writes go, the server's copy comes back, and the
/// writer's dots stay covered while anything is left queued.
@Suite("Discarding queued writes")
struct DiscardRuleTests {
    let local = ReplicaID("local")
    let server = ReplicaID("server")
    var clock: UInt64 = 1_000

    mutating func writer(_ replica: ReplicaID) -> Writer {
        clock += 1
        return Writer(time: HybridTimestamp(wall: clock, logical: 0, replica: replica), author: replica.rawValue)
    }

    mutating func synced() throws -> RecordState {
        var state = RecordState(id: "plan/A.1", collection: "activity")
        try state.apply(.set(field: "comment", value: "start"), schema: .planSync, by: writer(server))
        try state.apply(.set(field: "progress", value: "none"), schema: .planSync, by: writer(server))
        return state
    }

    @Test mutating func aFieldComesBackAndTheOtherEditAndTheContextStay() throws {
        let base = try synced()
        var state = base
        try state.apply(.set(field: "comment", value: "mine"), schema: .planSync, by: writer(local))
        try state.apply(.set(field: "progress", value: "half"), schema: .planSync, by: writer(local))
        let changes = state.changes(since: base, in: .field("comment"))
        #expect(changes == [DiscardedChange(target: "comment", from: "start", to: "mine")])
        let result = try #require(state.discarding(.field("comment"), base: base))
        #expect(result.value(of: "comment") == .text("start"))
        #expect(result.value(of: "progress") == .text("half"))
        #expect(result.context[local] == 2, "the dropped write's dot stays covered: it is never minted again")
    }

    @Test mutating func droppingEverythingGivesTheBaseAndANewRecordGoes() throws {
        let base = try synced()
        var state = base
        try state.apply(.set(field: "comment", value: "mine"), schema: .planSync, by: writer(local))
        try state.apply(.delete, schema: .planSync, by: writer(local))
        #expect(Set(state.changes(since: base).map(\.target)) == ["(record)", "comment"])
        #expect(state.discarding(.record, base: base) == base)
        #expect(state.discarding(.field("comment"), base: base)?.isDeleted == true)
        #expect(state.discarding(.record, base: nil) == nil)
    }

    @Test mutating func aConcurrentWriteJoinedIntoTheBaseIsWhatComesBack() throws {
        let base = try synced()
        var state = base
        try state.apply(.set(field: "comment", value: "mine"), schema: .planSync, by: writer(local))
        var theirs = base
        try theirs.apply(.set(field: "comment", value: "theirs"), schema: .planSync, by: writer(server))
        let pulled = state.joined(with: theirs)
        #expect(pulled.conflict(of: "comment").count == 2)
        let result = try #require(pulled.discarding(.record, base: base.joined(with: theirs)))
        #expect(result.value(of: "comment") == .text("theirs"))
        #expect(result.conflict(of: "comment").isEmpty)
    }
}
