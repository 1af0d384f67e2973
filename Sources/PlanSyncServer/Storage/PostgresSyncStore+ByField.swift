import Logging
import PlanSyncCore
import PostgresNIO

/// Records stored by field, as the embedded store keeps them (docs/PROTOCOL.md, "Storage by field"): `state` is
/// the record when it was last written whole, the `record_store` pieces written after `state_seq` hold the newer
/// copies of their stores, and `context` is the record's context now.
extension PostgresSyncStore {
    /// A record's row as read for putting it together.
    struct StoredRow {
        var id: String
        var snapshot: String
        var stateSeq: Int64?
        var context: String?
    }

    /// The record `id` now, or just its stores `wanted` (and its context), or nil when the store has none.
    static func fetch(
        _ id: String, only wanted: Set<WriteTarget>? = nil, _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> RecordState? {
        let rows = try await connection.query(
            "SELECT state, state_seq, context FROM record WHERE id = \(id)", logger: logger
        ).collect()
        guard let (snapshot, stateSeq, context) = try rows.first?.decode((String, Int64?, String?).self) else {
            return nil
        }
        let row = StoredRow(id: id, snapshot: snapshot, stateSeq: stateSeq, context: context)
        let pieces = try await Self.pieces(of: [row], connection, logger)
        return try state(of: row, pieces: pieces[id] ?? [], only: wanted)
    }

    /// The record of `row`, with `pieces` its pieces newer than its snapshot (`pieces(of:)`).
    static func state(of row: StoredRow, pieces: [(target: WriteTarget, json: String)], only wanted: Set<WriteTarget>?)
        throws -> RecordState
    {
        guard row.stateSeq != nil, let context = row.context else {
            guard let wanted else { return try RecordJSON.decode(row.snapshot) }
            return try RecordJSON.stored(snapshot: row.snapshot, context: nil, pieces: [], only: wanted)
        }
        return try RecordJSON.stored(snapshot: row.snapshot, context: context, pieces: pieces, only: wanted)
    }

    /// The compact JSON of the record of `row` now: its snapshot when that is the record now.
    static func json(of row: StoredRow, pieces: [(target: WriteTarget, json: String)]) throws -> [UInt8] {
        guard row.stateSeq != nil else { return Array(row.snapshot.utf8) }
        return RecordJSON.encode(try state(of: row, pieces: pieces, only: nil))
    }

    /// For each row whose snapshot is older than its record, the pieces written after it, in one query.
    static func pieces(of rows: [StoredRow], _ connection: PostgresConnection, _ logger: Logger) async throws
        -> [String: [(target: WriteTarget, json: String)]]
    {
        let older = rows.filter { $0.stateSeq != nil }.map(\.id)
        guard !older.isEmpty else { return [:] }
        var pieces: [String: [(target: WriteTarget, json: String)]] = [:]
        for try await (id, store, json) in try await connection.query(
            """
            SELECT record_store.record_id, record_store.store, record_store.json FROM record_store
            JOIN record ON record.id = record_store.record_id
            WHERE record.id = ANY(\(older)) AND record_store.seq > record.state_seq AND record_store.json IS NOT NULL
            """, logger: logger
        ).decode((String, String, String).self) {
            guard let target = WriteTarget(storeName: store) else { continue }
            pieces[id, default: []].append((target, json))
        }
        return pieces
    }

    /// Writes `state`, the stores of a record planned alone on `previous` (the same stores, as stored), at `seq`:
    /// each store that changed as a piece, and the record's context, leaving its other stores as they are. False,
    /// writing nothing, when no store changed (the context alone moved): that change is written whole.
    static func writeStores(
        _ state: RecordState, previous: RecordState, origin: ReplicaID?, at seq: Int64,
        _ connection: PostgresConnection,
        logger: Logger
    ) async throws -> Bool {
        let changed = state.targetsChanged(from: previous)
        guard !changed.isEmpty else { return false }
        try await connection.query(
            """
            UPDATE record SET seq = \(seq), origin = \(origin?.rawValue), context = \(RecordJSON.context(of: state)),
                state_seq = coalesce(state_seq, seq)
            WHERE id = \(state.id)
            """, logger: logger)
        for target in changed {
            try await connection.query(
                """
                INSERT INTO record_store(record_id, store, seq, json)
                VALUES (\(state.id), \(target.storeName), \(seq), \(RecordJSON.store(target, of: state)))
                ON CONFLICT (record_id, store) DO UPDATE SET seq = excluded.seq, json = excluded.json
                """, logger: logger)
        }
        return true
    }
}
