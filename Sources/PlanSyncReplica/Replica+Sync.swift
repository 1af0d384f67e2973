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
            for (index, incoming) in page.records.enumerated() {
                if let time = incoming.latestTime { clock?.observe(time) }
                let local = try Self.fetchState(incoming.id, in: db)
                if let local {
                    let joined = local.joined(with: incoming)
                    guard joined != local else { continue }
                    try Self.store(joined, in: db, schema: self.schema)
                } else {
                    // A record new here is stored as it came: nothing to join, nothing to encode again.
                    let json = page.receivedJSON?[index] ?? RecordJSON.string(incoming)
                    try Self.store(incoming, json: json, in: db, schema: self.schema)
                }
                changed += 1
            }
            try Meta.setJSON(.clock, clock, in: db)
            for id in page.evicted { try Self.drop(id, reason: "it left this replica's scope", in: db) }
            try Meta.set(.cursor, String(page.cursor), in: db)
            return changed
        }
    }

    /// Drops records the server says this replica may no longer hold. A record with unpushed local edits is
    /// set aside (table `set_aside`) with the reason, never silently discarded.
    public func drop(_ ids: [String], reason: String) async throws {
        try await pool.write { db in
            for id in ids { try Self.drop(id, reason: reason, in: db) }
        }
    }

    /// Forgets the local copy of records whose edit the server kept elsewhere (an approved report's held edit):
    /// the next pull brings the server's copy back.
    public func forget(_ ids: [String]) async throws {
        try await pool.write { db in
            for id in ids {
                try db.execute(sql: "DELETE FROM outbox WHERE record_id = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM record WHERE id = ?", arguments: [id])
            }
        }
    }

    /// Records set aside because they left this replica's scope with unpushed edits.
    public func setAside() async throws -> [(id: String, reason: String, at: String)] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT record_id, reason, at FROM set_aside ORDER BY at, record_id").map {
                ($0[0], $0[1], $0[2])
            }
        }
    }

    static func drop(_ id: String, reason: String, in db: Database) throws {
        let pending = try Bool.fetchOne(db, sql: "SELECT 1 FROM outbox WHERE record_id = ?", arguments: [id]) ?? false
        if pending, let state = try String.fetchOne(db, sql: "SELECT state FROM record WHERE id = ?", arguments: [id]) {
            try db.execute(
                sql: "INSERT INTO set_aside(record_id, state, reason, at) VALUES (?, ?, ?, ?)",
                arguments: [id, state, reason, Date().ISO8601Format()])
        }
        try db.execute(sql: "DELETE FROM outbox WHERE record_id = ?", arguments: [id])
        try db.execute(sql: "DELETE FROM record WHERE id = ?", arguments: [id])
    }
}
