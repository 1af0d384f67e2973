import Foundation
import GRDB
import Logging
import PlanSyncContent
import PlanSyncCore

/// The embedded store: one SQLite file, `plansync.sqlite`, in the server's data folder (WAL mode, so token
/// commands can write while the server runs).
public final class SQLiteSyncStore: SyncStore {
    let pool: DatabasePool
    let schema: Schema

    /// Opens the store in `directory`, creating the folder and the database if new, and seeding the bundled
    /// plans and materials with their translations: all of them into a new folder, and into an existing one
    /// those whose ids it has never held (content added by a later version). What a folder holds, or held and
    /// deleted, is never touched.
    public init(directory: String, schema: Schema = .planSync, logger: Logger? = nil) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.label = "server"
        self.schema = schema
        self.pool = try DatabasePool(path: directory + "/plansync.sqlite", configuration: configuration)
        try Self.migrator.migrate(pool)
        try pool.write { db in
            let existing = try Self.meta("server_id", in: db).map(ReplicaID.init)
            let server = existing ?? ReplicaID.random()
            if existing == nil {
                try db.execute(sql: "INSERT INTO meta(key, value) VALUES ('server_id', ?)", arguments: [server.rawValue])
            }
            // Which bundled ids the folder never held, read cheaply; the records and their translations are
            // built only when some are missing (a new folder, or content new in this version).
            var missingIDs = Set<String>()
            let held = try db.cachedStatement(sql: "SELECT 1 FROM record WHERE id = ?")
            for new in try BundledPlans.newRecords() where try Bool.fetchOne(held, arguments: [new.id]) == nil {
                missingIDs.insert(new.id)
            }
            guard !missingIDs.isEmpty else { return }
            var clock = HybridLogicalClock(replica: server)
            let missing = try BundledPlans.records(
                schema: schema, clock: &clock, now: UInt64(Date().timeIntervalSince1970 * 1000)
            ).filter { missingIDs.contains($0.id) }
            for record in missing { try Self.store(record, previous: nil, schema: schema, in: db) }
            if existing == nil {
                logger?.info("seeded a new data folder", metadata: ["records": "\(missing.count)", "path": "\(directory)"])
            } else if !missing.isEmpty {
                logger?.info("added bundled content new in this version", metadata: ["records": "\(missing.count)"])
            }
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) STRICT;
                    -- `seq` is the change sequence: a record takes a new, higher one each time its state changes,
                    -- so "changes since N" is the records with seq > N.
                    CREATE TABLE record (
                        id TEXT PRIMARY KEY NOT NULL,
                        collection TEXT NOT NULL,
                        seq INTEGER NOT NULL UNIQUE,
                        state TEXT NOT NULL
                    ) STRICT;
                    CREATE TABLE token (
                        name TEXT PRIMARY KEY NOT NULL,
                        hash TEXT NOT NULL UNIQUE,
                        role TEXT NOT NULL,
                        office TEXT,
                        language TEXT,
                        created_at TEXT NOT NULL,
                        revoked_at TEXT
                    ) STRICT;
                    """)
        }
        migrator.registerMigration("v2-scope") { db in
            try db.execute(
                sql: """
                    -- The office an office-scoped record (a report) belongs to; NULL for shared records.
                    ALTER TABLE record ADD COLUMN office TEXT;
                    CREATE INDEX record_scope ON record(office, seq);
                    -- A record that left an office's scope at sequence `seq`: that office's replicas drop it.
                    CREATE TABLE eviction (
                        seq INTEGER PRIMARY KEY NOT NULL,
                        record_id TEXT NOT NULL,
                        office TEXT NOT NULL
                    ) STRICT;
                    CREATE INDEX eviction_office ON eviction(office, seq);
                    """)
        }
        migrator.registerMigration("v3-origin") { db in
            // The replica that pushed exactly the stored state, if one did: its pulls skip the record.
            try db.execute(sql: "ALTER TABLE record ADD COLUMN origin TEXT")
        }
        return migrator
    }

    public func serverID() async throws -> ReplicaID {
        try await pool.read { db in ReplicaID(try Self.meta("server_id", in: db) ?? "") }
    }

    public func push(
        _ records: [RecordState], from pusher: ReplicaID,
        decide: @Sendable (RecordState?, RecordState, (String) throws -> RecordState?) throws -> PushDecision
    ) async throws -> PushResponse {
        let schema = self.schema
        return try await pool.write { db in
            var response = PushResponse(received: records.count, changed: 0)
            for incoming in records {
                let stored = try Self.fetch(incoming.id, in: db)
                if let stored, stored.collection != incoming.collection {
                    throw StoreError.collectionMismatch(id: incoming.id, stored: stored.collection)
                }
                let joined = stored.map { $0.joined(with: incoming) } ?? incoming
                guard joined != stored else { continue }
                switch try decide(stored, joined, { try Self.fetch($0, in: db) }) {
                case .store:
                    let origin = joined == incoming ? pusher : nil
                    try Self.store(joined, previous: stored, origin: origin, schema: schema, in: db)
                    response.changed += 1
                case .evict:
                    response.evicted.append(incoming.id)
                case .hold(let held):
                    // Held once: a replayed push finds it already kept.
                    if try Self.fetch(held.id, in: db) == nil {
                        try Self.store(held, previous: nil, schema: schema, in: db)
                    }
                    // A new sequence for the approved report, so the pusher's next pull restores it.
                    if let stored { try Self.store(stored, previous: stored, schema: schema, in: db) }
                    response.held.append(incoming.id)
                }
            }
            return response
        }
    }

    public func pull(since: UInt64, limit: Int, for principal: Principal, replica: ReplicaID?) async throws
        -> PullPage
    {
        try await pool.read { db in
            let since = Int64(clamping: since)
            // Both streams in scope, merged by sequence: shared records, the office's own, and its evictions.
            // A record the puller itself pushed, as stored, comes as a NULL state: counted, not sent.
            var scope = ""
            var arguments: StatementArguments = [replica?.rawValue, since]
            // `Principal.reach` as a condition on the scope column.
            var evictionsOf: String?
            switch principal.reach {
            case .everything: break
            case .sharedOnly:
                scope = "AND office IS NULL"
            case .sharedAnd(let office):
                scope = "AND (office IS NULL OR office = ?)"
                arguments += [office]
                evictionsOf = office
            }
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT seq, CASE WHEN origin IS NOT NULL AND origin = ? THEN NULL ELSE state END AS state
                    FROM record WHERE seq > ? \(scope) ORDER BY seq LIMIT ?
                    """,
                arguments: arguments + [limit + 1])
            let evictions =
                try evictionsOf.map { office in
                    try Row.fetchAll(
                        db, sql: "SELECT seq, record_id FROM eviction WHERE seq > ? AND office = ? ORDER BY seq LIMIT ?",
                        arguments: [since, office, limit + 1])
                } ?? []
            var changes = (rows.map { (seq: $0["seq"] as Int64, state: $0["state"] as String?, evicted: nil as String?) }
                + evictions.map { (seq: $0["seq"] as Int64, state: nil, evicted: $0["record_id"] as String?) })
                .sorted { $0.seq < $1.seq }
            let more = changes.count > limit
            changes = Array(changes.prefix(limit))
            let latest = try UInt64(Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM record") ?? 0)
            let cursor: UInt64 = changes.last.map { UInt64($0.seq) } ?? UInt64(since)
            var json = "{\"records\":["
            json.reserveCapacity(changes.count * 1024)
            var first = true
            for change in changes {
                guard let state = change.state else { continue }
                if !first { json += "," }
                json += state
                first = false
            }
            let evicted = changes.compactMap(\.evicted)
            json += "],\"evicted\":\(try WireJSON.string(evicted))"
            json += ",\"cursor\":\(cursor),\"more\":\(more),\"latest\":\(latest)}"
            return PullPage(json: json, count: changes.count, cursor: cursor)
        }
    }

    public func principal(tokenHash: String) async throws -> Principal? {
        try await pool.read { db in
            // Compare every live token's hash in constant time rather than looking one up by value.
            let rows = try Row.fetchAll(
                db, sql: "SELECT name, hash, role, office, language FROM token WHERE revoked_at IS NULL")
            var found: Principal?
            for row in rows where TokenHash.constantTimeEqual(row["hash"], tokenHash) {
                guard let role = Role(rawValue: row["role"]) else { continue }
                found = Principal(name: row["name"], role: role, office: row["office"], language: row["language"])
            }
            return found
        }
    }

    public func createToken(_ principal: Principal, hash: String) async throws {
        try await pool.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM token WHERE name = ?", arguments: [principal.name]) == true {
                throw StoreError.tokenExists(principal.name)
            }
            try db.execute(
                sql: "INSERT INTO token(name, hash, role, office, language, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [
                    principal.name, hash, principal.role.rawValue, principal.office, principal.language,
                    Date().ISO8601Format(),
                ])
        }
    }

    public func revokeToken(name: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE token SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
                arguments: [Date().ISO8601Format(), name])
            return db.changesCount > 0
        }
    }

    // MARK: - Rows

    private static func meta(_ key: String, in db: Database) throws -> String? {
        try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key])
    }

    private static func fetch(_ id: String, in db: Database) throws -> RecordState? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT state FROM record WHERE id = ?"), arguments: [id])
            .map { try RecordJSON.decode($0) }
    }

    /// Stores a record with the next sequence. When an office-scoped record changes office, the office it
    /// left gets an eviction at the same sequence.
    private static func store(
        _ state: RecordState, previous: RecordState?, origin: ReplicaID? = nil, schema: Schema, in db: Database
    ) throws {
        let json = RecordJSON.string(state)
        let office = state.scopeOffice(schema: schema)
        let seq = (try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(seq), 0) + 1 FROM record")) ?? 1)
        try db.cachedStatement(
            sql: """
                INSERT INTO record(id, collection, seq, state, office, origin) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, state = excluded.state, office = excluded.office,
                    origin = excluded.origin
                """
        ).execute(arguments: [state.id, state.collection, seq, json, office, origin?.rawValue])
        if let left = previous?.scopeOffice(schema: schema), left != office {
            try db.execute(
                sql: "INSERT INTO eviction(seq, record_id, office) VALUES (?, ?, ?)", arguments: [seq, state.id, left])
        }
    }
}

/// A store refusal a client can act on.
public enum StoreError: Error, CustomStringConvertible {
    case collectionMismatch(id: String, stored: String)
    case tokenExists(String)

    public var description: String {
        switch self {
        case .collectionMismatch(let id, let stored): "\(id): the record exists in collection '\(stored)'"
        case .tokenExists(let name): "a token named '\(name)' already exists (revoke it or choose another name)"
        }
    }
}
