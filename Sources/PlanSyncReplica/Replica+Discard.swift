import GRDB
import PlanSyncCore

/// The queued writes a discard dropped from one record.
public struct Discarded: Sendable, Codable {
    public let id: String
    public let changes: [DiscardedChange]
}

extension Replica {
    /// Drops the queued, unpushed writes of one record in `scope`, putting back the copy last known from the
    /// server (`RecordState.discarding`), and returns what was dropped. Refused, changing nothing, when the
    /// record has nothing queued in `scope`, or a push of its writes went out unanswered (the server may hold
    /// them: sync first).
    public func discard(_ id: String, _ scope: DiscardScope = .record) async throws -> Discarded {
        try await pool.write { db in
            guard try Self.fetchState(id, in: db) != nil else { throw ReplicaError.noRecord(id) }
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM outbox WHERE record_id = ?", arguments: [id]) == true
            else { throw ReplicaError("\(id) has no queued edits; nothing was changed") }
            let discarded = try self.discard(id, scope, in: db)
            guard !discarded.changes.isEmpty else {
                throw ReplicaError("\(id) has no queued edit of \(Self.describe(scope)); nothing was changed")
            }
            return discarded
        }
    }

    /// Drops every queued write of every record, all or — when any record cannot be discarded — none.
    public func discardAll() async throws -> [Discarded] {
        try await pool.write { db in
            let ids = try String.fetchAll(db, sql: "SELECT record_id FROM outbox ORDER BY record_id")
            return try ids.map { try self.discard($0, .record, in: db) }.filter { !$0.changes.isEmpty }
        }
    }

    /// The copy of a queued record last known from the server: nil when nothing is queued, `.some(nil)` for
    /// a record created here.
    public func base(of id: String) async throws -> RecordState?? {
        try await pool.read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT state FROM outbox_base WHERE record_id = ?", arguments: [id])
            else { return nil }
            let json: String? = row[0]
            return .some(try json.map(Self.decode))
        }
    }

    /// Notes that a push of these records is going out: from then on the server may hold their writes' dots,
    /// so they can no longer be discarded until a sync settles them.
    public func markSent(_ records: [PendingRecord]) async throws {
        try await pool.write { db in
            let mark = try db.cachedStatement(sql: "UPDATE outbox SET sent = 1 WHERE record_id = ?")
            for record in records { try mark.execute(arguments: [record.state.id]) }
        }
    }

    /// Undoes `markSent` for a push the server refused whole (it committed nothing).
    public func markUnsent(_ records: [PendingRecord]) async throws {
        try await pool.write { db in
            let mark = try db.cachedStatement(sql: "UPDATE outbox SET sent = 0 WHERE record_id = ?")
            for record in records { try mark.execute(arguments: [record.state.id]) }
        }
    }

    private func discard(_ id: String, _ scope: DiscardScope, in db: Database) throws -> Discarded {
        guard let state = try Self.fetchState(id, in: db) else { throw ReplicaError.noRecord(id) }
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT outbox_base.state, outbox.sent FROM outbox_base JOIN outbox USING (record_id)
                    WHERE record_id = ?
                    """,
                arguments: [id])
        else {
            throw ReplicaError(
                "\(id): no copy from before its queued edits is kept (queued by an older version, or again after a "
                    + "server restore); run 'plansync sync' to push them. Nothing was changed")
        }
        let sent: Int64 = row["sent"]
        guard sent == 0 else {
            throw ReplicaError(
                "\(id): a push of its queued edits went out and got no answer, so the server may hold them; run "
                    + "'plansync sync' first. Nothing was changed")
        }
        let json: String? = row["state"]
        let base = try json.map(Self.decode)
        let changes = state.changes(since: base, in: scope, schema: schema)
        guard !changes.isEmpty else { return Discarded(id: id, changes: []) }
        let result = state.discarding(scope, base: base)
        if let result, result != base {
            try Self.store(result, in: db, schema: schema)
            // A new revision, so the acknowledgement of a push read before this cannot unqueue what is left.
            let revision = (try Meta.get(.revision, in: db).flatMap(Int64.init) ?? 0) + 1
            try db.execute(sql: "UPDATE outbox SET revision = ? WHERE record_id = ?", arguments: [revision, id])
            try Meta.set(.revision, String(revision), in: db)
        } else {
            try db.execute(sql: "DELETE FROM outbox WHERE record_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM outbox_base WHERE record_id = ?", arguments: [id])
            if let result {
                try Self.store(result, in: db, schema: schema)
            } else {
                try db.execute(sql: "DELETE FROM record WHERE id = ?", arguments: [id])
            }
        }
        return Discarded(id: id, changes: changes)
    }

    private static func describe(_ scope: DiscardScope) -> String {
        switch scope {
        case .record: "the record"
        case .field(let name): "field '\(name)'"
        case .translation(let field, let language): "the \(language) translation of '\(field)'"
        }
    }

    // MARK: - Keeping the base

    /// Keeps `before` as the base of a record about to be queued, unless it is queued already (its base was
    /// kept by the first write since the last push). Returns, for a queued record, the stores its queued writes
    /// changed (nil inside when not noted); nil when it was not queued.
    @discardableResult
    static func keepBase(of id: String, _ before: RecordState?, in db: Database) throws -> Set<WriteTarget>?? {
        let queued = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT stores FROM outbox WHERE record_id = ?"), arguments: [id])
        if let queued { return .some(try (queued[0] as String?).map(RecordJSON.stores)) }
        try db.cachedStatement(
            sql: """
                INSERT INTO outbox_base(record_id, state) VALUES (?, ?)
                ON CONFLICT(record_id) DO UPDATE SET state = excluded.state
                """
        ).execute(arguments: [id, before.map { RecordJSON.string($0) }])
        return nil
    }

    /// Joins a pulled copy into a queued record's base too, so a discard puts back what the server has now.
    static func joinBase(of incoming: RecordState, delta: RecordDelta? = nil, in db: Database) throws {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT state FROM outbox_base WHERE record_id = ?"), arguments: [incoming.id])
        else { return }
        let json: String? = row[0]
        let base = try json.map(decode)
        let joined = base.map { base in delta.map { base.joined(with: $0) } ?? base.joined(with: incoming) } ?? incoming
        try db.execute(
            sql: "UPDATE outbox_base SET state = ? WHERE record_id = ?",
            arguments: [RecordJSON.string(joined), incoming.id])
    }

    /// Forgets the base of records no longer queued.
    static func dropBase(of id: String, in db: Database) throws {
        try db.cachedStatement(
            sql:
                "DELETE FROM outbox_base WHERE record_id = ?1 AND NOT EXISTS (SELECT 1 FROM outbox WHERE record_id = ?1)"
        ).execute(arguments: [id])
    }
}
