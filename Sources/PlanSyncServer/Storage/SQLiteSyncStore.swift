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
    /// Open decisions and held edits per record, brought up to date from the changes after its sequence at
    /// each census (`SQLiteSyncStore+Census.swift`).
    let decisionTally = Mutex(DecisionTally())

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
                try db.execute(
                    sql: "INSERT INTO meta(key, value) VALUES ('server_id', ?)", arguments: [server.rawValue])
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
                logger?.info(
                    "seeded a new data folder", metadata: ["records": "\(missing.count)", "path": "\(directory)"])
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
                    // A new sequence for the approved report, whole, so the pusher's next pull restores it.
                    if let stored {
                        last = try Self.store(stored, previous: stored, whole: true, schema: schema, in: db)
                    }
                    response.held.append(incoming.id)
                }
            }
            if last > 0 { response.history = HistoryPosition(epoch: epoch.id, seq: last) }
            return response
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
                    ).map { (seq: $0["seq"] as Int64, id: $0["record_id"] as String) }
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
            let cursor = UInt64(max(feed.cursor, since))
            let json = RecordJSON.pullPage(
                records: feed.records, evicted: feed.evicted, cursor: cursor, more: feed.more,
                latest: max(latest, cursor), extra: extra)
            return PullPage(json: json, count: feed.count, cursor: cursor)
        }
    }

    /// One page of changes: the records' JSON, the evicted ids, how many changes it counts (records skipped as
    /// the puller's own included), the sequence it reaches, and whether more follow.
    private struct FeedPage {
        var records: [String] = []
        var evicted: [String] = []
        var count = 0
        var cursor: Int64 = 0
        var more = false
    }

    /// The feed of records for a version-1 puller: each changed record once, at its latest change, whole and
    /// verbose. A record the puller pushed itself, as stored, is counted but not sent.
    private static func recordFeed(
        since: Int64, limit: Int, scope: String, scopeArguments: StatementArguments, replica: ReplicaID?,
        evictions: [(seq: Int64, id: String)], in db: Database
    ) throws -> FeedPage {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT seq, CASE WHEN origin IS NOT NULL AND origin = ? THEN NULL ELSE state END AS state
                FROM record WHERE seq > ? \(scope) ORDER BY seq LIMIT ?
                """,
            arguments: [replica?.rawValue, since] + scopeArguments + [limit + 1])
        let changes =
            (rows.map { (seq: $0["seq"] as Int64, state: $0["state"] as String?, evicted: nil as String?) }
            + evictions.map { (seq: $0.seq, state: nil, evicted: $0.id) })
            .sorted { $0.seq < $1.seq }
        var page = FeedPage()
        page.more = changes.count > limit
        let taken = changes.prefix(limit)
        // Stored compact, sent in the verbose form version 1 reads.
        page.records = try taken.compactMap(\.state).map { try RecordJSON.verbose($0) }
        page.evicted = taken.compactMap(\.evicted)
        page.count = taken.count
        page.cursor = taken.last?.seq ?? since
        return page
    }

    /// The feed of stores for a version-2 puller (docs/PROTOCOL.md, "Deltas"): the rows of `record_store` after
    /// `since` in sequence order, up to `limit` records, each sent once in the page — whole when its `*` row is
    /// after `since` (new to the puller), else as a delta of every store changed after `since`. Being a feed
    /// of stores, a store changed before another change of its record keeps its place: a puller that read the
    /// pages before it gets it there.
    private static func storeFeed(
        since: Int64, limit: Int, scope: String, scopeArguments: StatementArguments, replica: ReplicaID?,
        evictions: [(seq: Int64, id: String)], in db: Database
    ) throws -> FeedPage {
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT record_store.seq, record_store.record_id, record_store.store FROM record_store
                JOIN record ON record.id = record_store.record_id
                WHERE record_store.seq > ? \(scope) ORDER BY record_store.seq
                """,
            arguments: [since] + scopeArguments)
        var page = FeedPage()
        page.cursor = since
        var taken: [String] = []
        var seen = Set<String>()
        // Records whose `*` row is in the page: new to the puller, sent whole without asking which stores changed.
        var wholeIDs = Set<String>()
        var pendingEvictions = evictions[...]
        func takeEvictions(before seq: Int64?) -> Bool {
            while let eviction = pendingEvictions.first, seq.map({ eviction.seq < $0 }) ?? true {
                guard page.count < limit else { return false }
                page.evicted.append(eviction.id)
                page.count += 1
                page.cursor = eviction.seq
                pendingEvictions.removeFirst()
            }
            return true
        }
        while let row = try rows.next() {
            let seq: Int64 = row[0]
            let id: String = row[1]
            if row[2] as String == wholeStore { wholeIDs.insert(id) }
            guard takeEvictions(before: seq) else {
                page.more = true
                break
            }
            if !seen.contains(id) {
                guard page.count < limit else {
                    page.more = true
                    break
                }
                seen.insert(id)
                taken.append(id)
                page.count += 1
            }
            page.cursor = seq
        }
        if !page.more, !takeEvictions(before: nil) { page.more = true }
        let record = try db.cachedStatement(
            sql: "SELECT collection, context, coalesce(origin = ?, 0) AS own FROM record WHERE id = ?")
        let whole = try db.cachedStatement(
            sql: "SELECT state FROM record WHERE id = ? AND NOT coalesce(origin = ?, 0)")
        let changed = try db.cachedStatement(
            sql: "SELECT store, json FROM record_store WHERE record_id = ? AND seq > ?")
        for id in taken {
            if wholeIDs.contains(id) {
                if let state = try String.fetchOne(whole, arguments: [id, replica?.rawValue]) {
                    page.records.append(state)
                }
                continue
            }
            guard let row = try Row.fetchOne(record, arguments: [replica?.rawValue, id]), !(row["own"] as Bool) else {
                continue
            }
            let stores = try Row.fetchAll(changed, arguments: [id, since]).map { ($0[0] as String, $0[1] as String?) }
            // A delta from the stored pieces of what changed; the whole record when it is new to the puller.
            if let context = row["context"] as String?, !stores.contains(where: { $0.0 == wholeStore }) {
                let pieces = stores.compactMap { name, json in
                    WriteTarget(storeName: name).flatMap { target in json.map { (target: target, json: $0) } }
                }
                if pieces.count == stores.count {
                    page.records.append(
                        try RecordJSON.delta(id: id, collection: row["collection"], context: context, stores: pieces))
                    continue
                }
            }
            if let state = try String.fetchOne(whole, arguments: [id, replica?.rawValue]) {
                page.records.append(state)
            }
        }
        return page
    }

    /// The `record_store` row of a change a delta cannot carry: the record new, moved to another office, sent
    /// back whole, or changed in no store.
    private static let wholeStore = "*"

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

    /// Stores a record with the next sequence, and returns it, noting in the feed of stores which of its stores
    /// changed. A record new here, moved to another office, sent `whole` or changed in no store goes whole to
    /// every puller behind it. When an office-scoped record changes office, the office it left gets an eviction
    /// at the same sequence.
    @discardableResult
    private static func store(
        _ state: RecordState, previous: RecordState?, origin: ReplicaID? = nil, whole: Bool = false, schema: Schema,
        in db: Database
    ) throws -> UInt64 {
        let json = RecordJSON.string(state)
        let office = state.scopeOffice(schema: schema)
        let left = previous?.scopeOffice(schema: schema)
        let seq = (try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(seq), 0) + 1 FROM record")) ?? 1)
        try db.cachedStatement(
            sql: """
                INSERT INTO record(id, collection, seq, state, office, origin, context) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, state = excluded.state, office = excluded.office,
                    origin = excluded.origin, context = excluded.context
                """
        ).execute(arguments: [
            state.id, state.collection, seq, json, office, origin?.rawValue, RecordJSON.context(of: state),
        ])
        let changed = whole || previous == nil || left != office ? [] : state.targetsChanged(from: previous)
        let note = try db.cachedStatement(
            sql: """
                INSERT INTO record_store(record_id, store, seq, json) VALUES (?, ?, ?, ?)
                ON CONFLICT(record_id, store) DO UPDATE SET seq = excluded.seq, json = excluded.json
                """)
        if changed.isEmpty {
            try note.execute(arguments: [state.id, wholeStore, seq, nil as String?])
        }
        for target in changed {
            try note.execute(arguments: [state.id, target.storeName, seq, RecordJSON.store(target, of: state)])
        }
        if let left, left != office {
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
