import Foundation
import PlanSyncCore
import PlanSyncReplica
import PlanSyncTestSupport
import Testing

/// The list of records a sync changed, as `plansync sync` prints it: up to its limit, each record once with
/// what changed in it over every page, and a count of the rest. Pulled pages applied to a real replica file.
@Suite("Changes a sync lists")
struct PulledChangesTests {
    static let server = ReplicaID("changes-server")

    func replica(_ name: String, in directory: TemporaryDirectory) throws -> Replica {
        try Replica.create(
            at: directory.file("\(name).sqlite"), serverURL: "http://127.0.0.1:9", token: "unused",
            session: SessionInfo(server: Self.server, principal: Principal(name: name, role: .admin)))
    }

    @Test func listsUpToTheLimitCountsTheRestAndJoinsARecordPulledTwice() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let writer = try replica("writer", in: directory)
        let ids = (1...5).map { "plan/A.1/\($0)" }
        try await writer.create(ids.map { NewRecord(id: $0, collection: "related", values: [.init("title", $0)]) })
        let created = try await ids.asyncMap { try await writer.record($0)! }

        let reader = try replica("reader", in: directory)
        var changes = PulledChanges(limit: 2)
        let first = PullResponse(records: created, cursor: 5, more: true, latest: 6)
        #expect(try await reader.apply(first, noting: &changes) == 5)
        #expect(changes.records.map(\.id) == Array(ids.prefix(2)))
        #expect(changes.records.allSatisfy { $0.changed == ["(record)", "title"] })
        #expect(changes.more == 3)

        // The next page of the same sync brings a listed record again, with a comment: still one line.
        try await writer.edit(ids[0], .set(field: "comment", value: "Reviewed with the protection cluster"))
        let second = PullResponse(records: [try await writer.record(ids[0])!], cursor: 6, more: false, latest: 6)
        #expect(try await reader.apply(second, noting: &changes) == 1)
        #expect(changes.records.map(\.id) == Array(ids.prefix(2)))
        #expect(changes.records[0].changed == ["(record)", "comment", "title"])
        #expect(changes.more == 3)
        #expect(try await reader.record(ids[0]) == (try await writer.record(ids[0])))
    }
}
