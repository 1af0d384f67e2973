import Foundation
import GRDB
import PlanSyncCore
import PlanSyncTestSupport
import Testing

@testable import PlanSyncReplica
@testable import PlanSyncServer

/// The README's "Data at rest": both stores zero deleted content only where that costs no extra write
/// (`secure_delete = FAST`, which SQLite reports as 2) on every connection they open, reading or writing,
/// whatever the system's SQLite was built with (Debian's says 1).
@Suite("Deleted content on disk")
struct DeletedContentTests {
    static let fast = 2

    static func secureDelete(_ pool: DatabasePool) async throws -> [Int?] {
        let read = try await pool.read { db in try Int.fetchOne(db, sql: "PRAGMA secure_delete") }
        let written = try await pool.write { db in try Int.fetchOne(db, sql: "PRAGMA secure_delete") }
        return [read, written]
    }

    @Test func aReplicaAndAServerSetItOnEveryConnection() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let replica = try Replica.create(
            at: directory.file("office.sqlite"), serverURL: "http://127.0.0.1:9", token: "unused",
            session: SessionInfo(server: ReplicaID("deleted-server"), principal: Principal(name: "o", role: .admin)))
        let store = try SQLiteSyncStore(directory: directory.file("data"))
        #expect(try await Self.secureDelete(replica.pool) == [Self.fast, Self.fast])
        #expect(try await Self.secureDelete(store.pool) == [Self.fast, Self.fast])
    }
}
