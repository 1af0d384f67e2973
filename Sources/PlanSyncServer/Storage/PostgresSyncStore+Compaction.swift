import Logging
import PlanSyncCore
import PostgresNIO

// MARK: - Compaction (`CompactionExecution`)

extension PostgresSyncStore {
    public func compact(_ compaction: Compaction, dryRun: Bool) async throws -> CompactionSummary {
        let schema = self.schema
        // A dry run reads one snapshot and takes no lock: pushes commit on meanwhile.
        if dryRun {
            return try await transaction(isolation: "REPEATABLE READ READ ONLY") { connection, logger in
                try await Self.compact(compaction, schema: schema, dryRun: true, connection, logger: logger)
            }
        }
        return try await transaction { connection, logger in
            try await Self.compact(compaction, schema: schema, dryRun: false, connection, logger: logger)
        }
    }

    private static func compact(
        _ compaction: Compaction, schema: Schema, dryRun: Bool, _ connection: PostgresConnection, logger: Logger
    ) async throws -> CompactionSummary {
        // Taken first, as a push does: no push commits between the reads and the writes.
        var seq: Int64 = 0
        if !dryRun { seq = try await lockFeed(connection, logger: logger) }
        let first = seq
        var replicas: [Compaction.Progress] = []
        // Only replicas that can still sync: not the desk's (bound to no token), nor a revoked token's.
        for try await (id, lastSync, registered, pulled) in try await connection.query(
            """
            SELECT replica.id, replica.last_sync, (extract(epoch FROM replica.registered_at) * 1000)::bigint,
                replica.pulled
            FROM replica JOIN token ON token.name = replica.token AND token.revoked_at IS NULL
            """, logger: logger
        ).decode((String, Int64?, Int64, Int64).self) {
            replicas.append(
                Compaction.Progress(
                    replica: ReplicaID(id),
                    lastSync: CompactionExecution.lastSync(noted: lastSync, registeredMillis: registered),
                    pulled: UInt64(max(pulled, 0))))
        }
        var execution = CompactionExecution(
            compaction, schema: schema, replicas: replicas, latest: UInt64(try await latest(connection, logger)),
            scanned: try await meta(CompactionExecution.scannedKey, connection, logger))
        let candidates = try await connection.query(
            """
            SELECT record.id, record.seq, record.state,
                (SELECT coalesce(sum(octet_length(json)), 0) FROM record_store
                 WHERE record_id = record.id AND store <> \(FeedPage.wholeStore))::bigint,
                record.state_seq, record.context
            FROM record
            WHERE seq > \(Int64(clamping: execution.scanned)) AND seq <= \(Int64(clamping: execution.settled))
                AND state LIKE \(CompactionExecution.candidatePattern)
            ORDER BY seq
            """, logger: logger
        ).collect()
        for row in candidates {
            // A record's tombstones are always in its `state`: a delete or restore is stored whole.
            let (id, stored, snapshot, pieces, stateSeq, context) = try row.decode(
                (String, Int64, String, Int64, Int64?, String?).self)
            let record = StoredRow(id: id, snapshot: snapshot, stateSeq: stateSeq, context: context)
            let json = try Self.json(
                of: record, pieces: try await Self.pieces(of: [record], connection, logger)[id] ?? [])
            guard
                let step = try execution.step(json: json, seq: UInt64(max(stored, 0)), pieces: Int(pieces)),
                !dryRun
            else { continue }
            seq += 1
            try await write(
                StoredRecord(step.compacted, previous: step.previous, origin: nil, whole: true, schema: schema),
                at: seq, connection, logger: logger)
            try await connection.query(
                "DELETE FROM record_store WHERE record_id = \(id) AND store <> \(FeedPage.wholeStore)",
                logger: logger)
        }
        guard !dryRun else { return execution.summary }
        if seq != first { try await connection.query("UPDATE feed SET seq = \(seq)", logger: logger) }
        for replica in execution.toTell {
            try await connection.query(
                """
                UPDATE replica SET away_since = coalesce(away_since, \(Int64(clamping: replica.lastSync)))
                WHERE id = \(replica.replica.rawValue)
                """, logger: logger)
        }
        if let scanned = execution.scannedNext {
            try await connection.query(
                """
                INSERT INTO meta(key, value) VALUES (\(CompactionExecution.scannedKey), \(String(scanned)))
                ON CONFLICT (key) DO UPDATE SET value = excluded.value
                """, logger: logger)
        }
        return execution.summary
    }

    public func awaySince(replica: ReplicaID) async throws -> UInt64? {
        try await statement("SELECT away_since FROM replica WHERE id = \(replica.rawValue)").first?
            .decode(Int64?.self).map { UInt64(max($0, 0)) }
    }
}
