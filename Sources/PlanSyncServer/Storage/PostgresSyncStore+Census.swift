import PlanSyncCore
import PostgresNIO
import Synchronization

// MARK: - What operators watch

extension PostgresSyncStore {
    public func noteSync(replica: ReplicaID, at time: UInt64, pulled: UInt64?, told: UInt64?) async throws {
        if let pulled {
            // A cursor beyond the latest change is taken as the latest: what comes after it is not pulled yet.
            // Only the away mark this pull told is cleared: one a compaction set since is told at the next.
            _ = try await statement(
                """
                UPDATE replica SET last_sync = greatest(coalesce(last_sync, 0), \(Int64(clamping: time))),
                    pulled = greatest(
                        pulled, least(\(Int64(clamping: pulled)), (SELECT coalesce(max(seq), 0) FROM record))),
                    away_since = nullif(away_since, \(told.map { Int64(clamping: $0) }))
                WHERE id = \(replica.rawValue)
                """)
        } else {
            _ = try await statement(
                """
                UPDATE replica SET last_sync = greatest(coalesce(last_sync, 0), \(Int64(clamping: time)))
                WHERE id = \(replica.rawValue)
                """)
        }
    }

    public func syncActivity() async throws -> [TokenActivity] {
        try await transaction { connection, logger in
            var replicas: [String: [ReplicaActivity]] = [:]
            for try await (id, token, lastSync) in try await connection.query(
                "SELECT id, token, last_sync FROM replica ORDER BY id", logger: logger
            ).decode((String, String, Int64?).self) {
                replicas[token, default: []].append(
                    ReplicaActivity(id: ReplicaID(id), lastSync: lastSync.map { UInt64(max($0, 0)) }))
            }
            var activity: [TokenActivity] = []
            for try await (name, role, office, language) in try await connection.query(
                "SELECT name, role, office, language FROM token WHERE revoked_at IS NULL ORDER BY name",
                logger: logger
            ).decode((String, String, String?, String?).self) {
                guard let role = Role(rawValue: role) else { continue }
                let principal = Principal(name: name, role: role, office: office, language: language)
                activity.append(TokenActivity(principal: principal, replicas: replicas[name] ?? []))
            }
            return activity
        }
    }

    public func census() async throws -> StoreCensus {
        let schema = self.schema
        let since = decisionTally.withLock { $0.seq }
        // Only the records changed since the last census are read again, as in the embedded store.
        let (records, bytes, changed) = try await transaction { connection, logger in
            let records =
                try await connection.query("SELECT count(*) FROM record", logger: logger).collect().first?
                .decode(Int64.self) ?? 0
            let bytes =
                try await connection.query("SELECT pg_database_size(current_database())", logger: logger).collect()
                .first?.decode(Int64.self) ?? 0
            var changed: [(seq: Int64, row: StoredRow)] = []
            for try await (id, seq, state, stateSeq, context) in try await connection.query(
                "SELECT id, seq, state, state_seq, context FROM record WHERE seq > \(since) ORDER BY seq",
                logger: logger
            ).decode((String, Int64, String, Int64?, String?).self) {
                changed.append((seq, StoredRow(id: id, snapshot: state, stateSeq: stateSeq, context: context)))
            }
            let pieces = try await Self.pieces(of: changed.map(\.row), connection, logger)
            return (
                Int(records), Int(bytes),
                try changed.map {
                    ($0.row.id, $0.seq, try Self.state(of: $0.row, pieces: pieces[$0.row.id] ?? [], only: nil))
                }
            )
        }
        let figures = changed.map { id, seq, record in
            (id, seq, StoreCensus.decisions(of: record, schema: schema))
        }
        let tally = decisionTally.withLock { tally in
            for (id, seq, decisions) in figures where seq > tally.seq || since == tally.seq {
                tally.set(id, to: decisions)
            }
            tally.seq = max(tally.seq, figures.last?.1 ?? tally.seq)
            return tally
        }
        return StoreCensus(
            records: records, bytes: bytes, openDecisions: tally.openDecisions, heldEdits: tally.heldEdits)
    }
}

// MARK: - Readiness

extension PostgresSyncStore {
    /// A read through the pool: the database answers now (the server's id is known without asking it).
    public func checkReadable() async throws {
        _ = try await statement("SELECT 1")
    }
}
