import GRDB
import PlanSyncCore
import Synchronization

// MARK: - What operators watch

extension SQLiteSyncStore {
    public func noteSync(replica: ReplicaID, at time: UInt64, pulled: UInt64?, told: UInt64?) async throws {
        try await pool.write { db in
            if let pulled {
                // A cursor beyond the latest change is taken as the latest: what comes after it is not pulled yet.
                // Only the away mark this pull told is cleared: one a compaction set since is told at the next.
                try db.execute(
                    sql: """
                        UPDATE replica SET last_sync = max(coalesce(last_sync, 0), ?),
                            pulled = max(pulled, min(?, (SELECT coalesce(max(seq), 0) FROM record))),
                            away_since = nullif(away_since, ?)
                        WHERE id = ?
                        """,
                    arguments: [
                        Int64(clamping: time), Int64(clamping: pulled), told.map { Int64(clamping: $0) },
                        replica.rawValue,
                    ])
            } else {
                try db.execute(
                    sql: "UPDATE replica SET last_sync = max(coalesce(last_sync, 0), ?) WHERE id = ?",
                    arguments: [Int64(clamping: time), replica.rawValue])
            }
        }
    }

    public func syncActivity() async throws -> [TokenActivity] {
        try await pool.read { db in
            var replicas: [String: [ReplicaActivity]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, token, last_sync FROM replica ORDER BY id") {
                let lastSync = (row["last_sync"] as Int64?).map { UInt64(max($0, 0)) }
                replicas[row["token"], default: []].append(
                    ReplicaActivity(id: ReplicaID(row["id"]), lastSync: lastSync))
            }
            return try Row.fetchAll(
                db, sql: "SELECT name, role, office, language FROM token WHERE revoked_at IS NULL ORDER BY name"
            ).compactMap { row in
                guard let role = Role(rawValue: row["role"]) else { return nil }
                let principal = Principal(
                    name: row["name"], role: role, office: row["office"], language: row["language"])
                return TokenActivity(principal: principal, replicas: replicas[principal.name] ?? [])
            }
        }
    }

    public func census() async throws -> StoreCensus {
        let schema = self.schema
        return try await pool.read { db in
            let records = try Int.fetchOne(db, sql: "SELECT count(*) FROM record") ?? 0
            let bytes =
                try Int.fetchOne(db, sql: "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")
                ?? 0
            // Only the records changed since the last census are read again: a record's figures change only
            // when it takes a new sequence, and records are never removed.
            let tally = try decisionTally.withLock { tally in
                let changed = try Row.fetchCursor(
                    db, sql: "SELECT id, seq, state, state_seq, context FROM record WHERE seq > ? ORDER BY seq",
                    arguments: [tally.seq])
                while let row = try changed.next() {
                    let record = try Self.state(of: row, in: db)
                    tally.set(row["id"], to: StoreCensus.decisions(of: record, schema: schema))
                    tally.seq = row["seq"]
                }
                return tally
            }
            return StoreCensus(
                records: records, bytes: bytes, openDecisions: tally.openDecisions, heldEdits: tally.heldEdits)
        }
    }
}

/// Open decisions and held edits per record, as of change `seq`; only records with some are kept.
struct DecisionTally: Sendable {
    var seq: Int64 = 0
    private var open: [String: Int] = [:]
    private var held: Set<String> = []
    private(set) var openDecisions = 0

    var heldEdits: Int { held.count }

    mutating func set(_ id: String, to figures: (open: Int, held: Bool)) {
        openDecisions += figures.open - (open[id] ?? 0)
        open[id] = figures.open == 0 ? nil : figures.open
        if figures.held { held.insert(id) } else { held.remove(id) }
    }
}
