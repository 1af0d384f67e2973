import Foundation
import GRDB
import PlanSyncCore

extension Replica {
    /// Makes a local, offline edit of one record: checks it against the schema and the token's role, then
    /// stores the new state and its outbox entry in one transaction. A refused edit changes nothing.
    public func edit(_ id: String, _ edit: Edit, now: UInt64 = Replica.wallClock()) async throws {
        try await pool.write { db in
            guard var state = try Self.fetchState(id, in: db) else { throw ReplicaError.noRecord(id) }
            let identity = try ReplicaIdentity(db)
            if let reason = identity.principal.refusal(of: edit.target, in: state.collection, schema: self.schema) {
                throw ReplicaError.refused(id, reason)
            }
            var clock =
                try Meta.getJSON(.clock, HybridLogicalClock.self, in: db)
                ?? HybridLogicalClock(replica: identity.replica)
            let writer = Writer(time: clock.tick(now: now), author: identity.principal.name)
            do throws(PlanSyncCore.RecordError) {
                try state.apply(edit, schema: self.schema, by: writer)
            } catch {
                throw ReplicaError.invalid(error)
            }
            try Meta.setJSON(.clock, clock, in: db)
            try Self.store(state, in: db)
            let revision = (try Meta.get(.revision, in: db).flatMap(Int64.init) ?? 0) + 1
            try Meta.set(.revision, String(revision), in: db)
            try db.execute(
                sql: """
                    INSERT INTO outbox(record_id, revision, queued_at) VALUES (?, ?, ?)
                    ON CONFLICT(record_id) DO UPDATE SET revision = excluded.revision
                    """,
                arguments: [id, revision, Date().ISO8601Format()])
        }
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

    /// The canonical dump of every record (`plansync dump --json`).
    public func dump() async throws -> String {
        try CanonicalDump(try await records(), schema: schema).json()
    }

    /// Milliseconds since 1970 on this machine's clock.
    public static func wallClock() -> UInt64 {
        UInt64(max(0, Date().timeIntervalSince1970 * 1000))
    }

    // MARK: - Storage

    static func fetchState(_ id: String, in db: Database) throws -> RecordState? {
        try String.fetchOne(db, sql: "SELECT state FROM record WHERE id = ?", arguments: [id]).map(decode)
    }

    static func store(_ state: RecordState, in db: Database) throws {
        let json = String(decoding: try JSONEncoder().encode(state), as: UTF8.self)
        try db.execute(
            sql: """
                INSERT INTO record(id, collection, title, deleted, state) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET collection = excluded.collection, title = excluded.title,
                    deleted = excluded.deleted, state = excluded.state
                """,
            arguments: [state.id, state.collection, state.title(), state.isDeleted, json])
    }

    static func decode(_ json: String) throws -> RecordState {
        try JSONDecoder().decode(RecordState.self, from: Data(json.utf8))
    }
}

extension Replica {
    /// Every field in conflict, as (record, field) pairs sorted by record id then schema order.
    public func conflicts() async throws -> [(record: RecordState, field: String)] {
        try await records().flatMap { record in
            record.conflictedFields(schema: schema).map { (record, $0) }
        }
    }

    /// How many fields are in conflict.
    public func conflictCount() async throws -> Int {
        try await conflicts().count
    }
}
