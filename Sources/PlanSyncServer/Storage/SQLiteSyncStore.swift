import Foundation
import GRDB
import Synchronization
import Logging
import PlanSyncContent
import PlanSyncCore

/// The embedded store: one SQLite file, `plansync.sqlite`, in the server's data folder (WAL mode, so token
/// commands can write while the server runs).
public final class SQLiteSyncStore: SyncStore {
    let pool: DatabasePool
    let schema: Schema
    /// The epoch this process serves, once opened.
    private let opened = Mutex<Task<Epoch, any Error>?>(nil)

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
        migrator.registerMigration("v4-trust") { db in
            try db.execute(
                sql: """
                    -- One row per run of a server over this data, in order: a replica's position (epoch, seq) is
                    -- held when its epoch is here and seq is no later than the next epoch's start.
                    CREATE TABLE epoch (
                        ordinal INTEGER PRIMARY KEY,
                        id TEXT NOT NULL UNIQUE,
                        started_seq INTEGER NOT NULL,
                        started_at TEXT NOT NULL
                    ) STRICT;
                    -- Each replica id belongs to the token name that first used it.
                    CREATE TABLE replica (
                        id TEXT PRIMARY KEY NOT NULL,
                        token TEXT NOT NULL,
                        registered_at TEXT NOT NULL
                    ) STRICT;
                    -- Tokens: a name is unique among live tokens only, so a revoked token's name can be given
                    -- to its holder's new token.
                    CREATE TABLE token_v4 (
                        hash TEXT PRIMARY KEY NOT NULL,
                        name TEXT NOT NULL,
                        role TEXT NOT NULL,
                        office TEXT,
                        language TEXT,
                        created_at TEXT NOT NULL,
                        revoked_at TEXT
                    ) STRICT;
                    INSERT INTO token_v4 SELECT hash, name, role, office, language, created_at, revoked_at FROM token;
                    DROP TABLE token;
                    ALTER TABLE token_v4 RENAME TO token;
                    CREATE UNIQUE INDEX token_live_name ON token(name) WHERE revoked_at IS NULL;
                    """)
        }
        return migrator
    }

    public func serverID() async throws -> ReplicaID {
        try await pool.read { db in ReplicaID(try Self.meta("server_id", in: db) ?? "") }
    }

    public func epoch() async throws -> Epoch {
        // One epoch per process even when the first requests arrive together: they all await one opening.
        let opening = opened.withLock { current in
            if let current { return current }
            let pool = self.pool
            let task = Task {
                try await pool.write { db in
                    let started = try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM record") ?? 0
                    let epoch = Epoch(id: ReplicaID.random().rawValue, startedAt: UInt64(started))
                    try db.execute(
                        sql: "INSERT INTO epoch(id, started_seq, started_at) VALUES (?, ?, ?)",
                        arguments: [epoch.id, started, Date().ISO8601Format()])
                    return epoch
                }
            }
            current = task
            return task
        }
        return try await opening.value
    }

    public func resumePoint(for position: HistoryPosition) async throws -> UInt64? {
        let current = try await epoch()
        return try await pool.read { db in
            let latest = UInt64(try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM record") ?? 0)
            if position.epoch == current.id { return position.seq <= latest ? nil : latest }
            guard
                let ordinal = try Int64.fetchOne(
                    db, sql: "SELECT ordinal FROM epoch WHERE id = ?", arguments: [position.epoch])
            else {
                // An epoch this data never had: it ran on data that was later replaced. Nothing can be assumed.
                return 0
            }
            let end =
                try Int64.fetchOne(
                    db, sql: "SELECT started_seq FROM epoch WHERE ordinal > ? ORDER BY ordinal LIMIT 1",
                    arguments: [ordinal]
                ).map(UInt64.init) ?? latest
            return position.seq <= end ? nil : end
        }
    }

    public func bind(replica: ReplicaID, to token: String) async throws -> String {
        let known = try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT token FROM replica WHERE id = ?", arguments: [replica.rawValue])
        }
        if let known { return known }
        return try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO replica(id, token, registered_at) VALUES (?, ?, ?) ON CONFLICT(id) DO NOTHING",
                arguments: [replica.rawValue, token, Date().ISO8601Format()])
            return try String.fetchOne(db, sql: "SELECT token FROM replica WHERE id = ?", arguments: [replica.rawValue])
                ?? token
        }
    }

    public func push(
        _ records: [RecordState],
        plan: @Sendable (RecordState, RecordState?, (String) throws -> RecordState?) throws -> PushStep
    ) async throws -> PushResponse {
        let schema = self.schema
        let epoch = try await epoch()
        return try await pool.write { db in
            var response = PushResponse(received: records.count, changed: 0)
            var last: UInt64 = 0
            for incoming in records {
                let stored = try Self.fetch(incoming.id, in: db)
                if let stored, stored.collection != incoming.collection {
                    throw StoreError.collectionMismatch(id: incoming.id, stored: stored.collection)
                }
                let step = try plan(incoming, stored, { try Self.fetch($0, in: db) })
                if step.partial { response.partial.append(incoming.id) }
                switch step.decision {
                case .unchanged:
                    continue
                case .store(let joined, let origin):
                    last = try Self.store(joined, previous: stored, origin: origin, schema: schema, in: db)
                    response.changed += 1
                case .evict:
                    response.evicted.append(incoming.id)
                case .hold(let held):
                    // Held once: a replayed push finds it already kept.
                    if try Self.fetch(held.id, in: db) == nil {
                        last = try Self.store(held, previous: nil, schema: schema, in: db)
                    }
                    // A new sequence for the approved report, so the pusher's next pull restores it.
                    if let stored { last = try Self.store(stored, previous: stored, schema: schema, in: db) }
                    response.held.append(incoming.id)
                }
            }
            if last > 0 { response.history = HistoryPosition(epoch: epoch.id, seq: last) }
            return response
        }
    }

    public func pull(since: UInt64, limit: Int, for principal: Principal, replica: ReplicaID?, extra: String)
        async throws -> PullPage
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
            // The latest change in the puller's own scope: it learns nothing of other offices' activity.
            let latest: UInt64
            switch principal.reach {
            case .everything:
                latest = UInt64(try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM record") ?? 0)
            case .sharedOnly:
                latest = UInt64(
                    try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM record WHERE office IS NULL") ?? 0)
            case .sharedAnd(let office):
                latest = UInt64(
                    try Int64.fetchOne(
                        db,
                        sql: """
                            SELECT max(coalesce((SELECT max(seq) FROM record WHERE office IS NULL), 0),
                                coalesce((SELECT max(seq) FROM record WHERE office = ?1), 0),
                                coalesce((SELECT max(seq) FROM eviction WHERE office = ?1), 0))
                            """, arguments: [office]) ?? 0)
            }
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
            json += ",\"cursor\":\(cursor),\"more\":\(more),\"latest\":\(max(latest, cursor))\(extra)}"
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
            let live = "SELECT 1 FROM token WHERE name = ? AND revoked_at IS NULL"
            if try Bool.fetchOne(db, sql: live, arguments: [principal.name]) == true {
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

    // MARK: - Backups

    /// What a backup holds.
    public struct BackupSummary: Sendable {
        public var records: Int
        public var seq: UInt64
    }

    /// Writes a consistent copy of the data to `path` with SQLite's online backup, while the server runs.
    public func backup(to path: String) throws -> BackupSummary {
        guard !FileManager.default.fileExists(atPath: path) else { throw StoreError.backup("\(path) already exists") }
        do {
            let target = try DatabaseQueue(path: path)
            try pool.backup(to: target)
            try target.close()
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw StoreError.backup("cannot write \(path): \(error)")
        }
        return try Self.summary(of: path)
    }

    /// Puts the backup at `path` in place of the data in `directory` (the server stopped). The restored data
    /// keeps its history's epochs; the next start opens a new one, so replicas that saw more notice.
    public static func restore(directory: String, from path: String) throws -> BackupSummary {
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError.backup("\(path): no such file") }
        let summary = try summary(of: path)
        let database = directory + "/plansync.sqlite"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let lock = try DataFolderLock(directory: directory, purpose: "restore")
        defer { lock.release() }
        let staging = database + ".restoring"
        try? FileManager.default.removeItem(atPath: staging)
        try FileManager.default.copyItem(atPath: path, toPath: staging)
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database + suffix) }
        if rename(staging, database) != 0 {
            throw StoreError.backup("cannot put the backup in place of \(database): errno \(errno)")
        }
        return summary
    }

    private static func summary(of path: String) throws -> BackupSummary {
        do {
            var configuration = Configuration()
            configuration.readonly = true
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            return try queue.read { db in
                guard try db.tableExists("record"), try db.tableExists("meta"),
                    try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'server_id'") != nil
                else { throw StoreError.backup("\(path) is not a PlanSync server backup") }
                let records = try Int.fetchOne(db, sql: "SELECT count(*) FROM record") ?? 0
                let seq = try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM record") ?? 0
                return BackupSummary(records: records, seq: UInt64(seq))
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.backup("\(path) is not a PlanSync server backup (\(error))")
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

    /// Stores a record with the next sequence, and returns it. When an office-scoped record changes office, the
    /// office it left gets an eviction at the same sequence.
    @discardableResult
    private static func store(
        _ state: RecordState, previous: RecordState?, origin: ReplicaID? = nil, schema: Schema, in db: Database
    ) throws -> UInt64 {
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
        return UInt64(seq)
    }
}

/// An exclusive lock on a data folder (`server.lock`), held by `serve` while it runs and by `restore`, so a
/// backup is never put back under a running server and two servers never share a folder.
public final class DataFolderLock: Sendable {
    private let descriptor: Int32

    public init(directory: String, purpose: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let descriptor = open(directory + "/server.lock", O_RDWR | O_CREAT, 0o600)
        guard descriptor >= 0 else { throw StoreError.backup("cannot open \(directory)/server.lock: errno \(errno)") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw StoreError.backup("\(directory) is in use by a running server: stop it before the \(purpose)")
        }
        self.descriptor = descriptor
    }

    public func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

/// A store refusal a client can act on.
public enum StoreError: Error, CustomStringConvertible {
    case collectionMismatch(id: String, stored: String)
    case tokenExists(String)
    case backup(String)

    public var description: String {
        switch self {
        case .collectionMismatch(let id, let stored): "\(id): the record exists in collection '\(stored)'"
        case .tokenExists(let name): "a token named '\(name)' already exists (revoke it or choose another name)"
        case .backup(let message): message
        }
    }
}
