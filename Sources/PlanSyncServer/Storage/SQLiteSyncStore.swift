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
    /// The server's id, kept in `meta` when the data folder was made and never changed: read once, at open (it
    /// is checked on every request, `ServerIdentity`).
    let server: ReplicaID
    /// The epoch this process serves, once opened.
    private let opened = Mutex<Task<Epoch, any Error>?>(nil)
    /// Open decisions and held edits per record, brought up to date from the changes after its sequence at
    /// each census (`SQLiteSyncStore+Census.swift`).
    let decisionTally = Mutex(DecisionTally())

    /// How much of the database file each connection maps into memory.
    static let mappedBytes = 1 << 30

    /// Opens the store in `directory`, creating the folder and the database if new, and seeding the bundled
    /// plans and materials the folder never held (`BundledSeed`).
    public init(directory: String, schema: Schema = .planSync, logger: Logger? = nil) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.label = "server"
        // Pulls read the same pages over and over: mapped, the file's pages are read from the kernel's cache in
        // place, where each connection's own page cache would copy them in with a system call each.
        // Deleted content is zeroed where that costs no extra write, whatever the system's SQLite was built with
        // (Debian's overwrites every freed page): a replaced piece of a record otherwise costs a second write.
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA mmap_size = \(Self.mappedBytes); PRAGMA secure_delete = FAST")
        }
        self.schema = schema
        self.pool = try DatabasePool(path: directory + "/plansync.sqlite", configuration: configuration)
        // A push the server answered stays committed through a power cut (the replica then drops it from its
        // outbox): each commit waits for the disk. GRDB leaves a pool's writer at `synchronous = NORMAL` in WAL
        // mode, where the last commits before a cut can vanish.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        try Self.migrator.migrate(pool)
        server = try pool.write { db in
            let existing = try Self.meta("server_id", in: db).map(ReplicaID.init)
            let server = existing ?? ReplicaID.random()
            if existing == nil {
                try db.execute(
                    sql: "INSERT INTO meta(key, value) VALUES ('server_id', ?)", arguments: [server.rawValue])
            }
            let held = try db.cachedStatement(sql: "SELECT 1 FROM record WHERE id = ?")
            let missing = try BundledSeed.missing(schema: schema, server: server) { id in
                try Bool.fetchOne(held, arguments: [id]) != nil
            }
            for record in missing { try Self.store(record, previous: nil, schema: schema, in: db) }
            if existing == nil {
                logger?.info(
                    "seeded a new data folder", metadata: ["records": "\(missing.count)", "path": "\(directory)"])
            } else if !missing.isEmpty {
                logger?.info("added bundled content new in this version", metadata: ["records": "\(missing.count)"])
            }
            return server
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
        migrator.registerMigration("v5-stores") { db in
            try db.execute(
                sql: """
                    -- The change feed of stores: for each store of a record (`fields.NAME`,
                    -- `translations.LANG.FIELD`, `tombstones`) the sequence at which it last changed, and under
                    -- `*` the last change a delta cannot carry (the record new, moved to another office, sent back
                    -- whole). A version-2 pull reads it in sequence order (docs/PROTOCOL.md, "Deltas"). Each row
                    -- keeps its store's JSON, and `record.context` the record's context, so a delta is put
                    -- together from what changed without reading the whole record.
                    CREATE TABLE record_store (
                        record_id TEXT NOT NULL,
                        store TEXT NOT NULL,
                        seq INTEGER NOT NULL,
                        json TEXT,
                        PRIMARY KEY (record_id, store)
                    ) STRICT, WITHOUT ROWID;
                    CREATE INDEX record_store_seq ON record_store(seq);
                    INSERT INTO record_store(record_id, store, seq) SELECT id, '*', seq FROM record;
                    ALTER TABLE record ADD COLUMN context TEXT;
                    """)
        }
        migrator.registerMigration("v6-last-sync") { db in
            // When each replica last pushed or pulled (milliseconds since 1970): which offices have not synced.
            try db.execute(sql: "ALTER TABLE replica ADD COLUMN last_sync INTEGER")
        }
        migrator.registerMigration("v7-replica-keys") { db in
            // Each replica's public signing key (base64), registered on first use: the server believes a push
            // another replica carries (a bundle) only when this key signed it.
            try db.execute(sql: "ALTER TABLE replica ADD COLUMN key TEXT")
        }
        migrator.registerMigration("v8-compaction") { db in
            try db.execute(
                sql: """
                    -- The cursor each replica last pulled from: compaction waits until every replica synced within
                    -- the retention horizon has pulled a deleted record at its latest state.
                    ALTER TABLE replica ADD COLUMN pulled INTEGER NOT NULL DEFAULT 0;
                    -- Set, to its last sync, on a replica away past the horizon when a compaction removed what it
                    -- had not pulled; cleared once its next pull has told it.
                    ALTER TABLE replica ADD COLUMN away_since INTEGER;
                    """)
        }
        migrator.registerMigration("v9-by-field") { db in
            // Set when `state` is the record as of that sequence, older than `seq`: the `record_store` pieces
            // written after it hold the newer copies of their stores, and `context` the record's context now.
            // NULL when `state` is the record now (docs/PROTOCOL.md, "Storage by field").
            try db.execute(sql: "ALTER TABLE record ADD COLUMN state_seq INTEGER")
        }
        return migrator
    }

    public func serverID() async throws -> ReplicaID { server }

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
        _ records: [RecordState], reading: @Sendable (RecordState) -> Set<WriteTarget>?,
        plan: @Sendable (RecordState, RecordState?, (String) throws -> RecordState?) throws -> PushStep
    ) async throws -> PushResponse {
        let schema = self.schema
        let epoch = try await epoch()
        return try await pool.write { db in
            var execution = PushExecution(received: records.count)
            for incoming in records {
                // Only the stores the plan needs, when it needs no more: then it decides on them alone, and only
                // what changed of them is written.
                let stores = reading(incoming)
                let stored = try Self.fetch(incoming.id, only: stores, in: db)
                try PushExecution.check(incoming, stored: stored)
                let step = try plan(incoming, stored, { try Self.fetch($0, in: db) })
                for write in execution.writes(for: step, incoming: incoming, stored: stored) {
                    switch write {
                    case .store(let state, let previous, let origin, let whole):
                        if let stores, let previous, !whole {
                            execution.wrote(
                                at: try Self.store(
                                    state, read: stores, previous: previous, origin: origin, schema: schema, in: db))
                        } else {
                            execution.wrote(
                                at: try Self.store(
                                    state, previous: previous, origin: origin, whole: whole, schema: schema, in: db))
                        }
                    case .storeIfAbsent(let state):
                        if try Self.fetch(state.id, in: db) == nil {
                            execution.wrote(at: try Self.store(state, previous: nil, schema: schema, in: db))
                        }
                    }
                }
            }
            return execution.finished(epoch: epoch)
        }
    }

    public func pull(
        since: UInt64, limit: Int, for principal: Principal, replica: ReplicaID?, deltas: Bool, extra: String
    ) async throws -> PullPage {
        try await pool.read { db in
            let since = Int64(clamping: since)
            // `Principal.reach` as a condition on the record's scope column.
            var scope = ""
            var scopeArguments: StatementArguments = []
            var evictionsOf: String?
            switch principal.reach {
            case .everything: break
            case .sharedOnly:
                scope = "AND record.office IS NULL"
            case .sharedAnd(let office):
                scope = "AND (record.office IS NULL OR record.office = ?)"
                scopeArguments = [office]
                evictionsOf = office
            }
            // The office's evictions are a second stream, merged by sequence.
            let evictions =
                try evictionsOf.map { office in
                    try Row.fetchAll(
                        db,
                        sql: "SELECT seq, record_id FROM eviction WHERE seq > ? AND office = ? ORDER BY seq LIMIT ?",
                        arguments: [since, office, limit + 1]
                    ).map { (seq: $0["seq"], id: $0["record_id"]) as FeedEviction }
                } ?? []
            let feed =
                deltas
                ? try Self.storeFeed(
                    since: since, limit: limit, scope: scope, scopeArguments: scopeArguments, replica: replica,
                    evictions: evictions, in: db)
                : try Self.recordFeed(
                    since: since, limit: limit, scope: scope, scopeArguments: scopeArguments, replica: replica,
                    evictions: evictions, in: db)
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
            return try feed.body(since: UInt64(since), latest: latest, extra: extra)
        }
    }

    /// The feed of records for a version-1 puller (`FeedPage.records`).
    private static func recordFeed(
        since: Int64, limit: Int, scope: String, scopeArguments: StatementArguments, replica: ReplicaID?,
        evictions: [FeedEviction], in db: Database
    ) throws -> FeedPage {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT seq, CASE WHEN origin IS NOT NULL AND origin = ? THEN NULL ELSE state END AS state, id,
                    state_seq, context
                FROM record WHERE seq > ? \(scope) ORDER BY seq LIMIT ?
                """,
            arguments: [replica?.rawValue, since] + scopeArguments + [limit + 1])
        return try FeedPage.records(
            rows.map { row in
                (seq: row["seq"], state: row["state"] == nil ? nil : try Self.json(of: row, in: db))
            }, evictions: evictions, since: since, limit: limit)
    }

    /// The feed of stores for a version-2 puller (`StoreFeedReader`).
    private static func storeFeed(
        since: Int64, limit: Int, scope: String, scopeArguments: StatementArguments, replica: ReplicaID?,
        evictions: [FeedEviction], in db: Database
    ) throws -> FeedPage {
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT record_store.seq, record_store.record_id, record_store.store FROM record_store
                JOIN record ON record.id = record_store.record_id
                WHERE record_store.seq > ? \(scope) ORDER BY record_store.seq
                """,
            arguments: [since] + scopeArguments)
        var reader = StoreFeedReader(since: since, limit: limit, evictions: evictions)
        while let row = try rows.next(), reader.take(seq: row[0], id: row[1], store: row[2]) {}
        reader.finish()
        var page = reader.page
        let record = try db.cachedStatement(
            sql: "SELECT collection, context, coalesce(origin = ?, 0) AS own FROM record WHERE id = ?")
        let whole = try db.cachedStatement(sql: "SELECT id, state, state_seq, context FROM record WHERE id = ?")
        let changed = try db.cachedStatement(
            sql: "SELECT store, json FROM record_store WHERE record_id = ? AND seq > ?")
        for id in reader.taken {
            guard let row = try Row.fetchOne(record, arguments: [replica?.rawValue, id]) else { continue }
            let entry = try reader.entry(
                id: id, collection: row["collection"], context: row["context"], own: row["own"],
                stores: { try Row.fetchAll(changed, arguments: [id, since]).map { ($0[0], $0[1]) } },
                whole: { try Self.json(of: id, from: Row.fetchCursor(whole, arguments: [id]), in: db) })
            if let entry { page.records.append(entry) }
        }
        return page
    }

    public func register(key: ReplicaKey, for replica: ReplicaID) async throws -> ReplicaKey {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE replica SET key = ? WHERE id = ? AND key IS NULL",
                arguments: [key.description, replica.rawValue])
            let registered = try String.fetchOne(
                db, sql: "SELECT key FROM replica WHERE id = ?", arguments: [replica.rawValue])
            return registered.flatMap(ReplicaKey.init) ?? key
        }
    }

    public func signer(_ replica: ReplicaID) async throws -> (principal: Principal, key: ReplicaKey)? {
        try await pool.read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT token.name, token.role, token.office, token.language, replica.key
                    FROM replica JOIN token ON token.name = replica.token AND token.revoked_at IS NULL
                    WHERE replica.id = ?
                    """, arguments: [replica.rawValue])
            guard let row, let role = Role(rawValue: row[1]), let key = (row[4] as String?).flatMap(ReplicaKey.init)
            else { return nil }
            return (Principal(name: row[0], role: role, office: row[2], language: row[3]), key)
        }
    }

    public func principal(tokenHash: String) async throws -> Principal? {
        try await pool.read { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT name, hash, role, office, language FROM token WHERE revoked_at IS NULL")
            return TokenHash.principal(
                matching: tokenHash,
                among: rows.map { row in
                    (
                        hash: row["hash"],
                        principal: Role(rawValue: row["role"]).map { role in
                            Principal(name: row["name"], role: role, office: row["office"], language: row["language"])
                        }
                    )
                })
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

    static func meta(_ key: String, in db: Database) throws -> String? {
        try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key])
    }

    /// Stores a record with the next sequence (`StoredRecord`), and returns it.
    @discardableResult
    static func store(
        _ state: RecordState, previous: RecordState?, origin: ReplicaID? = nil, whole: Bool = false, schema: Schema,
        in db: Database
    ) throws -> UInt64 {
        let row = StoredRecord(state, previous: previous, origin: origin, whole: whole, schema: schema)
        let seq = (try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(seq), 0) + 1 FROM record")) ?? 1)
        try db.cachedStatement(
            sql: """
                INSERT INTO record(id, collection, seq, state, office, origin, context) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, state = excluded.state, office = excluded.office,
                    origin = excluded.origin, context = excluded.context, state_seq = NULL
                """
        ).execute(arguments: [row.id, row.collection, seq, row.json, row.office, row.origin, row.context])
        let note = try db.cachedStatement(
            sql: """
                INSERT INTO record_store(record_id, store, seq, json) VALUES (?, ?, ?, ?)
                ON CONFLICT(record_id, store) DO UPDATE SET seq = excluded.seq, json = excluded.json
                """)
        for store in row.stores { try note.execute(arguments: [row.id, store.name, seq, store.json]) }
        if let left = row.evictedFrom {
            try db.execute(
                sql: "INSERT INTO eviction(seq, record_id, office) VALUES (?, ?, ?)", arguments: [seq, row.id, left])
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
    /// The PostgreSQL database cannot be reached, or refused.
    case database(String)

    /// The database failed, not the request.
    public var isDatabase: Bool {
        if case .database = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .collectionMismatch(let id, let stored): "\(id): the record exists in collection '\(stored)'"
        case .tokenExists(let name): "a token named '\(name)' already exists (revoke it or choose another name)"
        case .backup(let message), .database(let message): message
        }
    }
}
