import Foundation
import GRDB
import PlanSyncCore
import PlanSyncReplica
import PlanSyncTestSupport
import Testing

/// A queued record whose push went out and got no answer: the server may hold its writes, so it travels whole
/// and cannot be discarded until a sync settles it. Real replica files, and one of the layout before `sent`
/// moved from the kept base to the outbox row.
@Suite("A push that got no answer")
struct OutboxSentTests {
    static let server = ReplicaID("outbox-sent-server")
    static let ids = ["plan/A.1/1", "plan/A.1/2"]

    func replica(_ name: String, in directory: TemporaryDirectory) throws -> Replica {
        try Replica.create(
            at: directory.file("\(name).sqlite"), serverURL: "http://127.0.0.1:9", token: "unused",
            session: SessionInfo(server: Self.server, principal: Principal(name: name, role: .admin)))
    }

    /// A replica holding the two records as pulled from the server, each with a queued comment.
    func queued(in directory: TemporaryDirectory) async throws -> (Replica, pulled: [RecordState]) {
        let writer = try replica("writer", in: directory)
        try await writer.create(
            Self.ids.map { NewRecord(id: $0, collection: "related", values: [.init("title", "Train focal points")]) })
        let pulled = try await Self.ids.asyncMap { try await writer.record($0)! }
        let office = try replica("office", in: directory)
        _ = try await office.apply(PullResponse(records: pulled, cursor: 2, more: false, latest: 2))
        for id in Self.ids {
            try await office.edit(id, .set(field: "comment", value: "Two sessions held in Gaziantep"))
        }
        return (office, pulled)
    }

    /// Whether each queued record is read as a delta (true) or whole (false), in queue order.
    static func asDeltas(_ replica: Replica) async throws -> [Bool] {
        try await replica.pending(limit: 10, deltas: true).map { !$0.isWhole && $0.delta != nil }
    }

    @Test func aRecordSentWithoutAnAnswerTravelsWholeAndIsNotDiscardedUntilMarkedUnsent() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (office, pulled) = try await queued(in: directory)
        #expect(try await Self.asDeltas(office) == [true, true])

        let first = try await office.pending(limit: 1)
        try await office.markSent(first)
        #expect(try await Self.asDeltas(office) == [false, true])
        let refusal = await #expect(throws: ReplicaError.self) { try await office.discard(Self.ids[0]) }
        #expect(refusal?.description.contains("went out and got no answer") == true)
        #expect(try await office.record(Self.ids[0])?.fields["comment"] != nil)

        try await office.markUnsent(first)
        #expect(try await Self.asDeltas(office) == [true, true])
        _ = try await office.discard(Self.ids[0])
        #expect(try await office.record(Self.ids[0]) == pulled[0])
        #expect(try await office.pendingCount() == 1)
    }

    /// The path of a replica with two queued records, a push of the first gone out unanswered, and the records
    /// as pulled; the replica closed.
    func sentFirstOfTwo(in directory: TemporaryDirectory) async throws -> (path: String, pulled: [RecordState]) {
        let (office, pulled) = try await queued(in: directory)
        try await office.markSent(try await office.pending(limit: 1))
        return (office.path, pulled)
    }

    @Test func aReplicaFileOfTheEarlierLayoutKeepsWhichPushesWentOut() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (path, pulled) = try await sentFirstOfTwo(in: directory)

        // The layout of before: `sent` on the base, none on the outbox row, the migration not yet run.
        let earlier = try DatabaseQueue(path: path)
        try await earlier.write { db in
            try db.execute(
                sql: """
                    ALTER TABLE outbox_base ADD COLUMN sent INTEGER NOT NULL DEFAULT 0;
                    UPDATE outbox_base SET sent = (SELECT sent FROM outbox WHERE outbox.record_id = outbox_base.record_id);
                    ALTER TABLE outbox DROP COLUMN sent;
                    DELETE FROM grdb_migrations WHERE identifier = 'v8-outbox-sent';
                    """)
        }
        #expect(try await earlier.read { db in try db.columns(in: "outbox").map(\.name) }.contains("sent") == false)
        #expect(try await earlier.read { db in try Int.fetchOne(db, sql: "SELECT sum(sent) FROM outbox_base") } == 1)
        try earlier.close()

        let reopened = try Replica.open(at: path)
        #expect(try await Self.asDeltas(reopened) == [false, true])
        await #expect(throws: ReplicaError.self) { try await reopened.discard(Self.ids[0]) }
        _ = try await reopened.discard(Self.ids[1])
        #expect(try await reopened.record(Self.ids[1]) == pulled[1])
        let columns = try await DatabaseQueue(path: path).read { db in try db.columns(in: "outbox_base").map(\.name) }
        #expect(columns == ["record_id", "state"])
    }
}
