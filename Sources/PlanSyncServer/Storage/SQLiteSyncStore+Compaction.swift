import GRDB
import PlanSyncCore

// MARK: - Compaction (`CompactionExecution`)

extension SQLiteSyncStore {
    public func compact(_ compaction: Compaction, dryRun: Bool) async throws -> CompactionSummary {
        let schema = self.schema
        // A dry run reads one snapshot and takes no lock: the server writes on meanwhile.
        if dryRun {
            return try await pool.read { db in try Self.compact(compaction, schema: schema, dryRun: true, in: db) }
        }
        return try await pool.writeWithoutTransaction { db in
            var summary = CompactionSummary()
            // Immediate: the server (another process) may be writing; the lock is taken before the first read.
            try db.inTransaction(.immediate) {
                summary = try Self.compact(compaction, schema: schema, dryRun: false, in: db)
                return .commit
            }
            return summary
        }
    }

    private static func compact(_ compaction: Compaction, schema: Schema, dryRun: Bool, in db: Database) throws
        -> CompactionSummary
    {
        // Only replicas that can still sync: not the desk's (bound to no token), nor a revoked token's.
        let replicas = try Row.fetchAll(
            db,
            sql: """
                SELECT replica.id, replica.last_sync, replica.registered_at, replica.pulled FROM replica
                JOIN token ON token.name = replica.token AND token.revoked_at IS NULL
                """
        ).map { row in
            Compaction.Progress(
                replica: ReplicaID(row["id"]),
                lastSync: CompactionExecution.lastSync(noted: row["last_sync"], registered: row["registered_at"]),
                pulled: UInt64(max(row["pulled"] as Int64, 0)))
        }
        let latest = try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM record") ?? 0
        var execution = CompactionExecution(
            compaction, schema: schema, replicas: replicas, latest: UInt64(latest),
            scanned: try meta(CompactionExecution.scannedKey, in: db))
        let candidates = try Row.fetchAll(
            // A record's tombstones are always in its `state`: a delete or restore is stored whole.
            db,
            sql: """
                SELECT id, seq, state, state_seq, context FROM record
                WHERE seq > ? AND seq <= ? AND state LIKE ? ORDER BY seq
                """,
            arguments: [
                Int64(clamping: execution.scanned), Int64(clamping: execution.settled),
                CompactionExecution.candidatePattern,
            ])
        let pieces = try db.cachedStatement(
            sql: """
                SELECT coalesce(sum(length(CAST(json AS BLOB))), 0) FROM record_store
                WHERE record_id = ? AND store != ?
                """)
        for row in candidates {
            let id: String = row["id"]
            let size = try Int.fetchOne(pieces, arguments: [id, FeedPage.wholeStore]) ?? 0
            let seq = UInt64(max(row["seq"] as Int64, 0))
            guard let step = try execution.step(json: try Self.json(of: row, in: db), seq: seq, pieces: size), !dryRun
            else { continue }
            try store(step.compacted, previous: step.previous, whole: true, schema: schema, in: db)
            try db.execute(
                sql: "DELETE FROM record_store WHERE record_id = ? AND store != ?",
                arguments: [id, FeedPage.wholeStore])
        }
        guard !dryRun else { return execution.summary }
        let tell = try db.cachedStatement(
            sql: "UPDATE replica SET away_since = coalesce(away_since, ?) WHERE id = ?")
        for replica in execution.toTell {
            try tell.execute(arguments: [Int64(clamping: replica.lastSync), replica.replica.rawValue])
        }
        if let scanned = execution.scannedNext {
            try db.execute(
                sql: "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                arguments: [CompactionExecution.scannedKey, String(scanned)])
        }
        return execution.summary
    }

    public func awaySince(replica: ReplicaID) async throws -> UInt64? {
        try await pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT away_since FROM replica WHERE id = ?", arguments: [replica.rawValue])
                .map { UInt64(max($0, 0)) }
        }
    }
}
