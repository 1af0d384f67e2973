import Foundation
import GRDB
import PlanSyncCore

/// A record waiting in the outbox, with the revision it had when read.
public struct PendingRecord: Sendable {
    public let state: RecordState
    public let revision: Int64
}

extension Replica {
    /// Up to `limit` records with unacknowledged local writes queued after `revision`, in queue order.
    public func pending(limit: Int, after revision: Int64 = 0) async throws -> [PendingRecord] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT record.state, outbox.revision FROM outbox JOIN record ON record.id = outbox.record_id
                    WHERE outbox.revision > ? ORDER BY outbox.revision LIMIT ?
                    """,
                arguments: [revision, limit]
            ).map { PendingRecord(state: try Self.decode($0[0]), revision: $0[1]) }
        }
    }

    /// How many records wait to be pushed.
    public func pendingCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox") ?? 0 }
    }

    /// Removes pushed records from the outbox once the server has committed them — unless they were edited
    /// again since they were read, in which case the newer edit stays queued.
    public func acknowledge(_ pushed: [PendingRecord]) async throws {
        try await pool.write { db in
            for record in pushed {
                try db.execute(
                    sql: "DELETE FROM outbox WHERE record_id = ? AND revision = ?",
                    arguments: [record.state.id, record.revision])
            }
        }
    }

    /// The server sequence this replica has pulled up to.
    public func cursor() async throws -> UInt64 {
        try await pool.read { db in try Meta.get(.cursor, in: db).flatMap(UInt64.init) ?? 0 }
    }

    /// Joins a pulled page into the replica and moves the cursor, in one transaction. Local writes not yet
    /// pushed survive the join (the server has not seen their dots) and stay queued. Returns how many
    /// records changed here.
    @discardableResult
    public func apply(_ page: PullResponse) async throws -> Int {
        try await pool.write { db in
            var clock: HybridLogicalClock? = try Meta.getJSON(.clock, HybridLogicalClock.self, in: db)
            if clock == nil { clock = HybridLogicalClock(replica: try ReplicaIdentity(db).replica) }
            var changed = 0
            for incoming in page.records {
                let local = try Self.fetchState(incoming.id, in: db)
                let joined = local.map { $0.joined(with: incoming) } ?? incoming
                if joined != local {
                    try Self.store(joined, in: db)
                    changed += 1
                }
                if let time = incoming.latestTime { clock?.observe(time) }
            }
            try Meta.setJSON(.clock, clock, in: db)
            try Meta.set(.cursor, String(page.cursor), in: db)
            return changed
        }
    }
}
