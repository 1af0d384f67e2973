import Foundation
import GRDB
import PlanSyncCore

extension Replica {
    /// Makes a local, offline edit of one record: checks it against the schema and the token's role, then
    /// stores the new state and its outbox entry in one transaction. A refused edit changes nothing.
    public func edit(_ id: String, _ edit: Edit, now: UInt64 = Replica.wallClock()) async throws {
        try await self.edit([(id, edit)], now: now)
    }

    /// Makes several local edits in one transaction: all of them, or — when any is refused — none.
    public func edit(_ edits: [(id: String, edit: Edit)], now: UInt64 = Replica.wallClock()) async throws {
        try await write(creating: [], editing: edits, now: now)
    }

    /// Creates records and edits others in one transaction (a material's new version: new segments, edited
    /// and removed ones): everything, or — when any write is refused — nothing.
    public func write(
        creating newRecords: [NewRecord], editing edits: [(id: String, edit: Edit)], now: UInt64 = Replica.wallClock()
    ) async throws {
        try await write(creating: newRecords, editing: edits, now: now, then: {})
    }

    /// Checks the writes `write(creating:editing:)` would make — every refusal it would give — and changes
    /// nothing: they run in a transaction that is rolled back (`--dry-run`).
    public func trial(
        creating newRecords: [NewRecord] = [], editing edits: [(id: String, edit: Edit)],
        now: UInt64 = Replica.wallClock()
    ) async throws {
        struct RolledBack: Error {}
        do {
            try await write(creating: newRecords, editing: edits, now: now, then: { throw RolledBack() })
        } catch is RolledBack {}
    }

    private func write(
        creating newRecords: [NewRecord], editing edits: [(id: String, edit: Edit)], now: UInt64,
        then finish: @escaping @Sendable () throws -> Void
    ) async throws {
        try await pool.write { db in
            var local = try LocalWrites(db, schema: self.schema, now: now)
            for new in newRecords { try self.create(new, with: &local, in: db) }
            for (id, edit) in edits { try self.apply(edit, to: id, with: &local, in: db) }
            try local.finish(in: db)
            try finish()
        }
    }

    private func apply(_ edit: Edit, to id: String, with local: inout LocalWrites, in db: Database) throws {
        guard var state = try Self.fetchState(id, in: db) else { throw ReplicaError.noRecord(id) }
        let before = state
        let principal = local.identity.principal
        if let reason = principal.refusal(of: edit.target, on: state, schema: schema) {
            throw ReplicaError.refused(id, reason)
        }
        let writer = try local.writer()
        do throws(PlanSyncCore.RecordError) {
            try state.apply(edit, schema: schema, by: writer)
        } catch {
            throw ReplicaError.invalid(error)
        }
        if let reason = try principal.refusal(of: edit.target, on: state, schema: schema)
            ?? ApprovalLock.refusal(of: state, by: principal, in: db)
        {
            throw ReplicaError.refused(id, reason)
        }
        try local.queue(state, before: before, wrote: edit.target, in: db)
    }

    private func create(_ new: NewRecord, with local: inout LocalWrites, in db: Database) throws {
        guard try Self.fetchState(new.id, in: db) == nil else {
            throw ReplicaError("\(new.id) exists already; nothing was changed", kind: .refused)
        }
        let state: RecordState
        do throws(PlanSyncCore.RecordError) {
            state = try new.state(schema: schema) { try local.writer() }
        } catch {
            throw ReplicaError.invalid(error)
        }
        let principal = local.identity.principal
        if let reason = try principal.refusal(of: .lifecycle, on: state, schema: schema)
            ?? ApprovalLock.refusal(of: state, by: principal, in: db)
        {
            throw ReplicaError.refused(new.id, reason)
        }
        try local.queue(state, before: nil, wrote: .lifecycle, in: db)
    }

    /// One record, or nil.
    public func record(_ id: String) async throws -> RecordState? {
        try await pool.read { db in try Self.fetchState(id, in: db) }
    }

    /// Every record, sorted by id.
    public func records() async throws -> [RecordState] {
        try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT state FROM record ORDER BY id").map(Self.decode)
        }
    }

    /// The records whose id is `prefix` or starts with `prefix/` (a plan or material and what belongs to it),
    /// sorted by id.
    public func records(prefix: String) async throws -> [RecordState] {
        try await pool.read { db in
            try String.fetchAll(
                db, sql: "SELECT state FROM record WHERE id = ? OR (id >= ? AND id < ?) ORDER BY id",
                arguments: [prefix, prefix + "/", prefix + "0"]
            ).map(Self.decode)
        }
    }

    /// Milliseconds since 1970 on this machine's clock.
    public static func wallClock() -> UInt64 {
        UInt64(max(0, Date().timeIntervalSince1970 * 1000))
    }

    // MARK: - Storage

    static func fetchState(_ id: String, in db: Database) throws -> RecordState? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT state FROM record WHERE id = ?"), arguments: [id]).map(
            decode)
    }

    static func store(_ state: RecordState, in db: Database, schema: Schema) throws {
        try store(state, json: RecordJSON.string(state), in: db, schema: schema)
    }

    /// Stores a state whose JSON is already at hand, with the columns kept beside it: its title, whether it
    /// is deleted, how many decisions it waits on (so counting conflicts never decodes every record), and its
    /// translation tallies (so `translations status` never does either).
    static func store(_ state: RecordState, json: String, in db: Database, schema: Schema) throws {
        // Cached statements: a pulled page stores hundreds of records in one transaction.
        try db.cachedStatement(
            sql: """
                INSERT INTO record(id, collection, title, deleted, state, decisions, coverage)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET collection = excluded.collection, title = excluded.title,
                    deleted = excluded.deleted, state = excluded.state, decisions = excluded.decisions,
                    coverage = excluded.coverage
                """
        ).execute(arguments: [
            state.id, state.collection, state.title(), state.isDeleted, json, state.openDecisions(schema: schema),
            CoverageColumn.encode(state.translationTallies(schema: schema)),
        ])
    }

    static func decode(_ json: String) throws -> RecordState {
        try RecordJSON.decode(json)
    }
}

extension Replica {
    /// The records waiting on a person's decision (a conflict, or a held edit), sorted by id.
    public func recordsAwaitingDecisions() async throws -> [RecordState] {
        try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT state FROM record WHERE decisions > 0 ORDER BY id").map(Self.decode)
        }
    }

    /// How many decisions wait across the replica (`RecordState.openDecisions`), read from the column kept
    /// beside each record: it runs at the end of every sync, and a first sync holds the whole plan history.
    public func conflictCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT coalesce(sum(decisions), 0) FROM record") ?? 0 }
    }
}

extension Replica {
    /// Creates records offline, all or nothing, in one transaction with their outbox entries. Refused whole
    /// when any id exists already, any value is invalid, or the token may not create records.
    public func create(_ newRecords: [NewRecord], now: UInt64 = Replica.wallClock()) async throws {
        try await write(creating: newRecords, editing: [], now: now)
    }
}

/// The bookkeeping of local writes inside one transaction: the replica's identity, its hybrid clock, and the
/// outbox revision counter. Every local write goes through it, so each stored state has its outbox entry.
struct LocalWrites {
    let identity: ReplicaIdentity
    let schema: Schema
    let now: UInt64
    var clock: HybridLogicalClock
    var revision: Int64
    let queuedAt = Date().ISO8601Format()

    init(_ db: Database, schema: Schema, now: UInt64) throws {
        identity = try ReplicaIdentity(db)
        self.schema = schema
        self.now = now
        clock =
            try Meta.getJSON(.clock, HybridLogicalClock.self, in: db) ?? HybridLogicalClock(replica: identity.replica)
        revision = try Meta.get(.revision, in: db).flatMap(Int64.init) ?? 0
    }

    /// A writer for one write: a fresh tick of the clock.
    mutating func writer() throws -> Writer {
        do {
            return Writer(time: try clock.tick(now: now), author: identity.principal.name)
        } catch {
            throw ReplicaError("this replica's clock cannot give a timestamp: \(error)")
        }
    }

    /// Stores a locally written state and queues it for the next push. The first write queued since the last
    /// push keeps `before` (nil for a record created here) as the record's base, for `discard`.
    /// The outbox notes the store the write changed (`wrote`: an edit changes only its target's store) beside
    /// those of the writes queued before it, so a push reads just those (`Replica.pending`).
    mutating func queue(_ state: RecordState, before: RecordState?, wrote: WriteTarget, in db: Database) throws {
        let queued = try Replica.keepBase(of: state.id, before, in: db)
        try Replica.store(state, in: db, schema: schema)
        revision += 1
        // Unknown when the record was created here (it travels whole) or queued without them noted.
        var stores: Set<WriteTarget>? = before == nil ? nil : [wrote]
        if let queued, let written = stores { stores = queued.map { written.union($0) } }
        try db.cachedStatement(
            sql: """
                INSERT INTO outbox(record_id, revision, queued_at, stores) VALUES (?, ?, ?, ?)
                ON CONFLICT(record_id) DO UPDATE SET revision = excluded.revision, stores = excluded.stores
                """
        ).execute(arguments: [state.id, revision, queuedAt, stores.map(RecordJSON.string(stores:))])
    }

    func finish(in db: Database) throws {
        try Meta.setJSON(.clock, clock, in: db)
        try Meta.set(.revision, String(revision), in: db)
    }
}
