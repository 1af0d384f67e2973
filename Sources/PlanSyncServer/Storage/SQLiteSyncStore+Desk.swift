import Foundation
import GRDB
import PlanSyncCore

/// The server's own desk in the embedded store: its id and clock in `meta`.
extension SQLiteSyncStore {
    public func deskIdentity() async throws -> DeskIdentity {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING",
                arguments: [DeskIdentity.idKey, ReplicaID.random().rawValue])
            let id = try Self.meta(DeskIdentity.idKey, in: db) ?? ""
            try db.execute(
                sql: "INSERT INTO replica(id, token, registered_at) VALUES (?, ?, ?) ON CONFLICT(id) DO NOTHING",
                arguments: [id, DeskIdentity.owner, Date().ISO8601Format()])
            return DeskIdentity(
                id: ReplicaID(id), clock: try DeskIdentity.decodeClock(Self.meta(DeskIdentity.clockKey, in: db)))
        }
    }

    public func keepDeskClock(_ clock: HybridLogicalClock) async throws -> HybridLogicalClock {
        try await pool.write { db in
            let kept = try DeskIdentity.decodeClock(Self.meta(DeskIdentity.clockKey, in: db))
            let later = DeskIdentity.later(kept, clock)
            if later != kept {
                try db.execute(
                    sql: """
                        INSERT INTO meta(key, value) VALUES (?, ?)
                        ON CONFLICT(key) DO UPDATE SET value = excluded.value
                        """,
                    arguments: [DeskIdentity.clockKey, try WireJSON.string(later)])
            }
            return later
        }
    }
}
