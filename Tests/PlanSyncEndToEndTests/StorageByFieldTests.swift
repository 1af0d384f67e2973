import Foundation
import GRDB
import PlanSyncClient
import PlanSyncCore
import PlanSyncReplica
import PlanSyncTestSupport
import Testing

/// docs/PROTOCOL.md, "Storage by field": the embedded server writes a delta of a shared record as the stores it
/// changed, leaving the rest of the stored record as it is, and every reader still gets the whole record.
@Suite("Storage by field")
struct StorageByFieldTests {
    static let id = DeltaWireTests.id

    /// The server's row of the record, read from its database: the snapshot, how old it is, and its pieces.
    static func row(_ cluster: Cluster) throws -> (state: String, stateSeq: Int64?, seq: Int64, comment: String?) {
        if let database = cluster.database {
            let select = { (column: String) in try database.value("SELECT \(column) FROM record WHERE id = '\(id)'") }
            let comment = try database.value(
                "SELECT json FROM record_store WHERE record_id = '\(id)' AND store = 'fields.comment'")
            return (
                try select("state"), Int64(try select("state_seq")), try #require(Int64(try select("seq"))),
                comment.isEmpty ? nil : comment
            )
        }
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(
            path: cluster.directory.file("data") + "/plansync.sqlite", configuration: configuration)
        return try queue.read { db in
            let row = try #require(
                try Row.fetchOne(db, sql: "SELECT state, state_seq, seq FROM record WHERE id = ?", arguments: [id]))
            let comment = try String.fetchOne(
                db, sql: "SELECT json FROM record_store WHERE record_id = ? AND store = 'fields.comment'",
                arguments: [id])
            return (row["state"], row["state_seq"], row["seq"], comment)
        }
    }

    @Test(arguments: ServerStore.available)
    func aDeltaIsWrittenAsItsStoresAndReadWholeEverywhere(store: ServerStore) async throws {
        let cluster = try Cluster(store: store)
        let amman = try Replica.open(at: try cluster.replica("amman"))
        let dakar = try Replica.open(at: try cluster.replica("dakar"))
        for replica in [amman, dakar] { try await Self.sync(replica) }
        let before = try Self.row(cluster)
        #expect(before.stateSeq == nil, "a seeded record is stored whole")

        try await amman.edit(Self.id, .set(field: "comment", value: "Amman: the workshop moved to March."))
        try await Self.sync(amman)
        let byField = try Self.row(cluster)
        #expect(byField.state == before.state, "the stored record was not written again")
        #expect(byField.stateSeq == before.seq, "it is marked as the record as of its last whole write")
        #expect(byField.seq > before.seq)
        #expect(byField.comment?.contains("the workshop moved to March") == true, "the comment is its own piece")

        // A second delta of another replica joins with the piece, not with the old snapshot.
        try await dakar.edit(Self.id, .set(field: "comment", value: "Dakar: and the venue too."))
        try await Self.sync(dakar)
        let twice = try Self.row(cluster)
        #expect(twice.state == before.state && twice.stateSeq == before.seq)
        try await Self.sync(amman)
        let expected: Set<String> = ["Amman: the workshop moved to March.", "Dakar: and the venue too."]
        #expect(Set(try await amman.record(Self.id)?.fields["comment"]?.map(\.value) ?? []) == expected)

        // A new replica gets the record whole, translations and both comments.
        let nairobi = try Replica.open(at: try cluster.replica("nairobi"))
        try await Self.sync(nairobi)
        let whole = try #require(try await nairobi.record(Self.id))
        #expect(Set(whole.fields["comment"]?.map(\.value) ?? []) == expected)
        #expect(whole == (try await amman.record(Self.id)), "the record put together is the one the replicas hold")
        #expect(try await nairobi.dump() == (try await amman.dump()))

        // A version-1 client gets it whole too, with both comments.
        let token = try cluster.server.token(name: "old", role: "admin")
        let (status, body) = try await RawHTTP(base: cluster.server.url).send(
            .GET, "/v1/pull?since=0&limit=5000", token: token)
        #expect(status == 200)
        #expect(body.contains("Dakar: and the venue too.") && body.contains("Amman: the workshop moved to March."))

        // A delete is written whole again: the tombstones are in the stored record.
        try await dakar.edit(Self.id, .delete)
        try await Self.sync(dakar)
        let deleted = try Self.row(cluster)
        #expect(deleted.stateSeq == nil)
        #expect(deleted.state.contains("tombstones") && deleted.state.contains("Dakar: and the venue too."))
        try await Self.sync(nairobi)
        #expect(try await nairobi.record(Self.id)?.isDeleted == true)
    }

    static func sync(_ replica: Replica) async throws {
        let transport = try HTTPTransport(for: try await replica.identity())
        _ = try await SyncSession(replica: replica, transport: transport).run()
    }
}
