import Foundation
import GRDB
import PlanSyncCore

/// Records stored by field (docs/PROTOCOL.md, "Storage by field"): a record's `state` is its whole state when it
/// was last written whole; a push of a delta writes only the stores it changed, as `record_store` pieces, and
/// the record's context, and marks in `state_seq` how old `state` is. Reading a record puts them together.
extension SQLiteSyncStore {
    /// The record `id` now, or just its stores `wanted` (and its context), or nil when the store has none.
    static func fetch(_ id: String, only wanted: Set<WriteTarget>? = nil, in db: Database) throws -> RecordState? {
        let rows = try Row.fetchCursor(
            db.cachedStatement(sql: "SELECT id, state, state_seq, context FROM record WHERE id = ?"), arguments: [id])
        // Read while the cursor is open: its row's bytes are the statement's, not copied into `String`s.
        return try withExtendedLifetime(rows) { rows in
            try rows.next().map { try state(of: $0, only: wanted, in: db) }
        }
    }

    /// The record of a row holding its `id`, `state`, `state_seq` and `context`; its `state` read as the row's
    /// bytes.
    static func state(of row: Row, only wanted: Set<WriteTarget>? = nil, in db: Database) throws -> RecordState {
        var context: String?
        var pieces: [(target: WriteTarget, json: String)] = []
        if let since: Int64 = row["state_seq"], let newer: String = row["context"] {
            context = newer
            pieces = try Self.pieces(of: row["id"], after: since, in: db)
        }
        return try row.withUnsafeData(named: "state") { data in
            guard let data else { throw StoreError.database("a record row without its state") }
            return try RecordJSON.stored(snapshot: data, context: context, pieces: pieces, only: wanted)
        }
    }

    /// The compact JSON of the record of such a row, as UTF-8: its `state` as it is when that is the record now,
    /// copied from the row's bytes (a row read through a cursor is not turned into a `String` and checked).
    static func json(of row: Row, in db: Database) throws -> [UInt8] {
        guard (row["state_seq"] as Int64?) != nil else {
            return try row.withUnsafeData(named: "state") { data in data.map { Array($0) } ?? [] }
        }
        return RecordJSON.encode(try state(of: row, in: db))
    }

    /// `json(of:in:)` of the one row of `rows`, the record `id`, read while the cursor is open (its row's bytes
    /// are the statement's). A record missing is an error, never an empty record in a page.
    static func json(of id: String, from rows: RowCursor, in db: Database) throws -> [UInt8] {
        try withExtendedLifetime(rows) { rows in
            guard let row = try rows.next() else { throw StoreError.database("record \(id) is missing from the store") }
            return try json(of: row, in: db)
        }
    }

    /// The pieces written after sequence `since`: the newer copies of their stores.
    private static func pieces(of id: String, after since: Int64, in db: Database) throws
        -> [(target: WriteTarget, json: String)]
    {
        let rows = try Row.fetchCursor(
            db.cachedStatement(
                sql: "SELECT store, json FROM record_store WHERE record_id = ? AND seq > ? AND json IS NOT NULL"),
            arguments: [id, since])
        var pieces: [(target: WriteTarget, json: String)] = []
        while let row = try rows.next() {
            guard let target = WriteTarget(storeName: row[0] as String) else { continue }
            pieces.append((target, row[1]))
        }
        return pieces
    }

    /// Stores `state`, the stores `read` of a record planned alone on `previous` (the same stores, as stored),
    /// with the next sequence: each store that changed as a piece, and the record's context, leaving its other
    /// stores as they are. A change of the context alone, which the feed sends whole, is written whole.
    static func store(
        _ state: RecordState, read: Set<WriteTarget>, previous: RecordState, origin: ReplicaID?, schema: Schema,
        in db: Database
    ) throws -> UInt64 {
        let changed = state.targetsChanged(from: previous)
        guard !changed.isEmpty else {
            let current = try fetch(state.id, in: db)
            let whole = RecordDelta(state, stores: read).filled(from: current)
            return try store(whole, previous: current, origin: origin, schema: schema, in: db)
        }
        let seq = (try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(seq), 0) + 1 FROM record")) ?? 1)
        try db.cachedStatement(
            sql: """
                UPDATE record SET seq = ?, origin = ?, context = ?, state_seq = coalesce(state_seq, seq) WHERE id = ?
                """
        ).execute(arguments: [seq, origin?.rawValue, RecordJSON.context(of: state), state.id])
        let note = try db.cachedStatement(
            sql: """
                INSERT INTO record_store(record_id, store, seq, json) VALUES (?, ?, ?, ?)
                ON CONFLICT(record_id, store) DO UPDATE SET seq = excluded.seq, json = excluded.json
                """)
        for target in changed {
            try note.execute(arguments: [state.id, target.storeName, seq, RecordJSON.store(target, of: state)])
        }
        return UInt64(seq)
    }
}
