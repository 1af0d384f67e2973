import Foundation
import PlanSyncCore
import PostgresNIO

/// The server's own desk in the shared database: its id and clock in `meta`, one for every instance.
extension PostgresSyncStore {
    public func deskIdentity() async throws -> DeskIdentity {
        try await transaction { connection, logger in
            try await connection.query(
                """
                INSERT INTO meta(key, value) VALUES (\(DeskIdentity.idKey), \(ReplicaID.random().rawValue))
                ON CONFLICT (key) DO NOTHING
                """, logger: logger)
            let id = try await Self.meta(DeskIdentity.idKey, connection, logger) ?? ""
            try await connection.query(
                "INSERT INTO replica(id, token) VALUES (\(id), \(DeskIdentity.owner)) ON CONFLICT (id) DO NOTHING",
                logger: logger)
            let clock = try await Self.meta(DeskIdentity.clockKey, connection, logger)
            return DeskIdentity(id: ReplicaID(id), clock: try DeskIdentity.decodeClock(clock))
        }
    }

    public func keepDeskClock(_ clock: HybridLogicalClock) async throws -> HybridLogicalClock {
        try await transaction { connection, logger in
            // The row locked first, so two instances keeping their clocks at once keep the later of both.
            try await connection.query(
                "INSERT INTO meta(key, value) VALUES (\(DeskIdentity.clockKey), '') ON CONFLICT (key) DO NOTHING",
                logger: logger)
            let text = try await connection.query(
                "SELECT value FROM meta WHERE key = \(DeskIdentity.clockKey) FOR UPDATE", logger: logger
            ).collect().first?.decode(String.self)
            let kept = try DeskIdentity.decodeClock(text)
            let later = DeskIdentity.later(kept, clock)
            if later != kept {
                let json = try WireJSON.string(later)
                try await connection.query(
                    "UPDATE meta SET value = \(json) WHERE key = \(DeskIdentity.clockKey)", logger: logger)
            }
            return later
        }
    }
}
