import PlanSyncCore
import PlanSyncTestSupport
import Testing

/// The rule of what a server may compact (`Compaction`): only deleted records' contents, only once every replica
/// synced within the horizon has pulled them, and never anything the join would keep.
@Suite("Compaction rule")
struct CompactionRuleTests {
    static let id = "plan/A.1"
    var sim = Simulation(replicas: 3)

    init() throws {
        try sim.create(
            Self.id, collection: "activity", on: 0, fields: ["title": "Provide tools", "comment": "start"])
        try sim.edit(Self.id, .translate(field: "title", language: "fr", text: "Fournir", status: .draft), on: 0)
        for index in 0..<3 { try sim.sync(index) }
    }

    /// Compacts the server's copy as a store does: a change of its own, sent to every replica (no origin).
    mutating func compact() {
        guard let compacted = sim.server[Self.id]?.withoutContents() else { return }
        sim.server[Self.id] = compacted
        sim.origin[Self.id] = nil
    }

    static func progress(_ name: String, lastSync: UInt64, pulled: UInt64) -> Compaction.Progress {
        Compaction.Progress(replica: ReplicaID(name), lastSync: lastSync, pulled: pulled)
    }

    @Test func onlyReplicasSyncedWithinTheHorizonAreWaitedFor() {
        let rule = Compaction(horizon: 1_000, now: 10_000)
        let replicas = [
            Self.progress("a", lastSync: 9_500, pulled: 40), Self.progress("b", lastSync: 9_000, pulled: 30),
            Self.progress("away", lastSync: 8_999, pulled: 2),
        ]
        #expect(rule.settled(replicas, latest: 50) == 30)
        #expect(rule.away(replicas).map(\.replica) == [ReplicaID("away")])
        #expect(rule.settled([], latest: 50) == 50)
        #expect(rule.settled(replicas.filter { $0.replica == ReplicaID("away") }, latest: 50) == 50)
    }

    @Test mutating func aLiveRecordOrOneNotSeenByEveryActiveReplicaIsKept() throws {
        let rule = Compaction(horizon: 1_000, now: 10_000)
        #expect(rule.compacted(sim.server[Self.id]!, seq: 1, settled: 5) == nil, "a live record lost its contents")
        try sim.edit(Self.id, .delete, on: 0)
        try sim.sync(0)
        let deleted = sim.server[Self.id]!
        #expect(rule.compacted(deleted, seq: 6, settled: 5) == nil, "compacted before every replica pulled it")
        let compacted = try #require(rule.compacted(deleted, seq: 5, settled: 5))
        #expect(compacted.fields.isEmpty && compacted.translations.isEmpty)
        #expect(compacted.context == deleted.context && compacted.tombstones == deleted.tombstones)
        #expect(compacted.isDeleted)
        #expect(rule.compacted(compacted, seq: 5, settled: 5) == nil, "nothing left to remove")
    }

    @Test mutating func aDeletedReportKeepsTheOfficeThatScopesIt() throws {
        let report = "plan/A.1/report/AFG/2017"
        try sim.create(
            report, collection: "report", on: 0,
            fields: ["activity": Self.id, "office": "AFG", "period": "2017", "narrative": "Trained 40 staff"])
        try sim.edit(report, .delete, on: 0)
        let deleted = sim.state(report, on: 0)
        let compacted = try #require(deleted.withoutContents())
        #expect(Set(compacted.fields.keys) == ["office"])
        #expect(compacted.scopeOffice() == "AFG", "a compacted report left its office's scope")
        #expect(compacted.isDeleted)
        #expect(compacted.withoutContents() == nil, "compacted again at every run")
        #expect(deleted.joined(with: compacted) == compacted)
        var summary = CompactionSummary()
        summary.add(deleted, compacted: compacted, storedBytes: 0)
        #expect(summary.entries == 3, "activity, period and narrative go; the office stays")
    }

    @Test mutating func everyCopyJoinedWithTheCompactedRecordLosesItsContentsAndAgrees() throws {
        try sim.edit(Self.id, .delete, on: 0)
        for index in 0..<3 { try sim.sync(index) }
        compact()
        for _ in 0..<2 { for index in 0..<3 { try sim.sync(index) } }
        let dumps = try (0..<3).map { try sim.dump($0) }
        #expect(Set(dumps).count == 1)
        for index in 0..<3 {
            let state = sim.state(Self.id, on: index)
            #expect(state.isDeleted && state.fields.isEmpty && state.translations.isEmpty, "replica \(index)")
        }
    }

    @Test mutating func anEditConcurrentWithTheDeleteStillBringsTheRecordBackWithIt() throws {
        // Replica 2 edits while away; the delete and the compaction happen meanwhile.
        try sim.edit(Self.id, .set(field: "comment", value: "written offline"), on: 2)
        try sim.edit(Self.id, .delete, on: 0)
        try sim.sync(0)
        try sim.sync(1)
        compact()
        for _ in 0..<2 { for index in 0..<3 { try sim.sync(index) } }
        let dumps = try (0..<3).map { try sim.dump($0) }
        #expect(Set(dumps).count == 1)
        let state = sim.state(Self.id, on: 0)
        #expect(!state.isDeleted, "update beats delete")
        #expect(state.value(of: "comment") == .text("written offline"))
        #expect(state.value(of: "title") == nil, "compacted contents came back")
    }
}
