import Foundation
import Logging
import PlanSyncCore
import PostgresNIO

/// The schema, its versions, and what is done once for a database: migrating, choosing the server's id, seeding
/// the bundled plans, and noticing a restored copy.
extension PostgresSyncStore {
    /// The schema's versions, oldest first; a database records those applied in `schema_version`.
    static let migrations: [(version: Int, sql: [String])] = [
        (
            1,
            [
                "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
                // The change feed's counter: the last sequence handed out. A push takes the row's lock before it
                // reads anything and holds it to its commit, so sequences become visible in the order they were
                // taken (docs/PROTOCOL.md, "Several server instances").
                "CREATE TABLE feed (id INTEGER PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL)",
                "INSERT INTO feed(id, seq) VALUES (1, 0)",
                // The same tables as the embedded store's, in its latest version.
                """
                CREATE TABLE record (
                    id TEXT PRIMARY KEY, collection TEXT NOT NULL, seq BIGINT NOT NULL UNIQUE, state TEXT NOT NULL,
                    office TEXT, origin TEXT, context TEXT
                )
                """,
                "CREATE INDEX record_scope ON record(office, seq)",
                """
                CREATE TABLE record_store (
                    record_id TEXT NOT NULL, store TEXT NOT NULL, seq BIGINT NOT NULL, json TEXT,
                    PRIMARY KEY (record_id, store)
                )
                """,
                "CREATE INDEX record_store_seq ON record_store(seq, store)",
                "CREATE TABLE eviction (seq BIGINT PRIMARY KEY, record_id TEXT NOT NULL, office TEXT NOT NULL)",
                "CREATE INDEX eviction_office ON eviction(office, seq)",
                // Every start of an instance opens an epoch; `ended_seq` is set on the epochs that were open when
                // the data was found restored: what they served after it is not here.
                """
                CREATE TABLE epoch (
                    ordinal BIGSERIAL PRIMARY KEY, id TEXT NOT NULL UNIQUE, started_seq BIGINT NOT NULL,
                    ended_seq BIGINT, started_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """,
                """
                CREATE TABLE replica (
                    id TEXT PRIMARY KEY, token TEXT NOT NULL, registered_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """,
                """
                CREATE TABLE token (
                    hash TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, office TEXT, language TEXT,
                    created_at TIMESTAMPTZ NOT NULL DEFAULT now(), revoked_at TIMESTAMPTZ
                )
                """,
                "CREATE UNIQUE INDEX token_live_name ON token(name) WHERE revoked_at IS NULL",
            ]
        ),
        (
            2,
            [
                // When each replica last pushed or pulled (milliseconds since 1970): which offices have not synced.
                "ALTER TABLE replica ADD COLUMN last_sync BIGINT"
            ]
        ),
        (
            3,
            [
                // Each replica's public signing key (base64), registered on first use: the server believes a push
                // another replica carries (a bundle) only when this key signed it.
                "ALTER TABLE replica ADD COLUMN key TEXT"
            ]
        ),
        (
            4,
            [
                // The cursor each replica last pulled from: compaction waits until every replica synced within the
                // retention horizon has pulled a deleted record at its latest state.
                "ALTER TABLE replica ADD COLUMN pulled BIGINT NOT NULL DEFAULT 0",
                // Set, to its last sync, on a replica away past the horizon when a compaction removed what it had
                // not pulled; cleared once its next pull has told it.
                "ALTER TABLE replica ADD COLUMN away_since BIGINT",
            ]
        ),
        (
            5,
            [
                // Set when `state` is the record as of that sequence, older than `seq`: the `record_store` pieces
                // written after it hold the newer copies of their stores, and `context` the record's context now.
                // NULL when `state` is the record now (docs/PROTOCOL.md, "Storage by field").
                "ALTER TABLE record ADD COLUMN state_seq BIGINT"
            ]
        ),
    ]

    /// The advisory lock every instance takes around migrating and seeding, so that of several instances started
    /// together on an empty database one does it and the others find it done.
    static let setupLock: Int64 = 0x506C_616E_5379_6E63

    /// Migrates, chooses the server's id, notices a restored copy and seeds, in one transaction under the
    /// advisory lock. Returns the server's id.
    static func setUp(
        _ connection: PostgresConnection, schema: Schema, url: DatabaseURL, logger: Logger
    ) async throws -> ReplicaID {
        try await connection.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(setupLock))", logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS schema_version (
                    version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """, logger: logger)
            let applied =
                try await connection.query(
                    "SELECT coalesce(max(version), 0) FROM schema_version", logger: logger
                ).collect().first?.decode(Int.self) ?? 0
            if let latest = migrations.last?.version, applied > latest {
                throw StoreError.database(
                    "\(url) has schema version \(applied); this plansync-server knows up to \(latest) (upgrade it)")
            }
            for migration in migrations where migration.version > applied {
                for statement in migration.sql {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO schema_version(version) VALUES (\(migration.version))", logger: logger)
                logger.info("migrated the database", metadata: ["version": "\(migration.version)", "url": "\(url)"])
            }
            let server = try await meta("server_id", connection, logger).map(ReplicaID.init) ?? ReplicaID.random()
            try await connection.query(
                "INSERT INTO meta(key, value) VALUES ('server_id', \(server.rawValue)) ON CONFLICT (key) DO NOTHING",
                logger: logger)
            try await noticeRestore(connection, logger: logger)
            try await seed(connection, schema: schema, server: server, logger: logger)
            return server
        }
    }

    /// A copy of the data in another database (a `pg_dump` restored) keeps its epochs; those open when the copy
    /// was made may have served more than it holds. This database's identity is not in the copy: when it differs
    /// from the one recorded, the open epochs are ended at the copy's last sequence, so their replicas notice.
    private static func noticeRestore(_ connection: PostgresConnection, logger: Logger) async throws {
        let identity =
            try await connection.query(
                """
                SELECT (CASE WHEN has_function_privilege('pg_control_system()', 'EXECUTE')
                        THEN (SELECT system_identifier::text FROM pg_control_system()) ELSE '' END)
                    || ':' || (SELECT oid::text FROM pg_database WHERE datname = current_database())
                """, logger: logger
            ).collect().first?.decode(String.self) ?? ""
        let recorded = try await meta("identity", connection, logger)
        guard recorded != identity else { return }
        if recorded != nil { try await endOpenEpochs(connection, logger: logger) }
        try await connection.query(
            """
            INSERT INTO meta(key, value) VALUES ('identity', \(identity))
            ON CONFLICT (key) DO UPDATE SET value = excluded.value
            """, logger: logger)
    }

    /// Ends every open epoch at the data's last sequence: what they served after it is lost.
    static func endOpenEpochs(_ connection: PostgresConnection, logger: Logger) async throws {
        let ended = try await connection.query(
            """
            UPDATE epoch SET ended_seq = (SELECT coalesce(max(seq), 0) FROM record) WHERE ended_seq IS NULL
            RETURNING id
            """, logger: logger
        ).collect().count
        logger.warning(
            "the data is a restored copy: replicas that saw more will push it again",
            metadata: ["epochs ended": "\(ended)"])
    }

    /// Seeds the bundled content the database never held (`BundledSeed`).
    private static func seed(
        _ connection: PostgresConnection, schema: Schema, server: ReplicaID, logger: Logger
    ) async throws {
        let ids = try BundledSeed.ids()
        var held = Set<String>()
        for try await id in try await connection.query(
            "SELECT id FROM record WHERE id = ANY(\(ids))", logger: logger
        ).decode(String.self) {
            held.insert(id)
        }
        let missing = try BundledSeed.missing(schema: schema, server: server) { held.contains($0) }
        guard !missing.isEmpty else { return }
        var seq = try await lockFeed(connection, logger: logger)
        for record in missing {
            seq += 1
            try await write(
                StoredRecord(record, previous: nil, origin: nil, whole: false, schema: schema), at: seq, connection,
                logger: logger)
        }
        try await connection.query("UPDATE feed SET seq = \(seq)", logger: logger)
        logger.info(
            held.isEmpty ? "seeded a new database" : "added bundled content new in this version",
            metadata: ["records": "\(missing.count)"])
    }

    static func meta(_ key: String, _ connection: PostgresConnection, _ logger: Logger) async throws -> String? {
        try await connection.query("SELECT value FROM meta WHERE key = \(key)", logger: logger).collect().first?
            .decode(String.self)
    }
}
