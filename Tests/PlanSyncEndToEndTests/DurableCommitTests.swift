import Foundation
import GRDB
import PlanSyncCore
import PlanSyncTestSupport
import Testing

@testable import PlanSyncReplica
@testable import PlanSyncServer

/// The README's "Data at rest": a replica's saved edit and a server's answered push survive a power cut, so both
/// stores commit with `synchronous = FULL` (which SQLite reports as 2) on the connection they write with, where
/// a pool in WAL mode would otherwise be left at NORMAL (1) and lose its last commits.
@Suite("Durable commits")
struct DurableCommitTests {
    static let full = 2

    static func synchronous(_ pool: DatabasePool) async throws -> Int? {
        try await pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
    }

    @Test func aReplicaAndAServerWaitForTheDiskOnEveryCommit() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("office.sqlite")
        _ = try Replica.create(
            at: path, serverURL: "http://127.0.0.1:9", token: "unused",
            session: SessionInfo(server: ReplicaID("durable-server"), principal: Principal(name: "o", role: .admin)))
        // Reopened, as every command after `plansync init` opens it.
        let replica = try Replica.open(at: path)
        let store = try SQLiteSyncStore(directory: directory.file("data"))
        #expect(try await Self.synchronous(replica.pool) == Self.full)
        #expect(try await Self.synchronous(store.pool) == Self.full)
        try await replica.setServerProtocol(2)
        #expect(try await Self.synchronous(replica.pool) == Self.full, "still after a write")
    }
}
