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

    /// Opens the store in `directory`, creating the folder, the database and the bundled plans if new.
    public init(directory: String, schema: Schema = .planSync, logger: Logger? = nil) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.label = "server"
        self.schema = schema
        self.pool = try DatabasePool(path: directory + "/plansync.sqlite", configuration: configuration)
        try Self.migrator.migrate(pool)
        try pool.write { db in
            guard try Self.meta("server_id", in: db) == nil else { return }
            let server = ReplicaID.random()
            try db.execute(sql: "INSERT INTO meta(key, value) VALUES ('server_id', ?)", arguments: [server.rawValue])
            var clock = HybridLogicalClock(replica: server)
            let records = try BundledPlans.records(
                schema: schema, clock: &clock, now: UInt64(Date().timeIntervalSince1970 * 1000))
            for record in records { try Self.store(record, in: db) }
            logger?.info("seeded a new data folder", metadata: ["records": "\(records.count)", "path": "\(directory)"])
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
        return migrator
    }

    public func serverID() async throws -> ReplicaID {
        try await pool.read { db in ReplicaID(try Self.meta("server_id", in: db) ?? "") }
    }

    public func push(
        _ records: [RecordState],
        authorize: @Sendable (RecordState?, RecordState) throws -> Void
    ) async throws -> PushResponse {
        try await pool.write { db in
            var changed = 0
            for incoming in records {
                let stored = try String.fetchOne(db, sql: "SELECT state FROM record WHERE id = ?", arguments: [incoming.id])
                    .map { try JSONDecoder().decode(RecordState.self, from: Data($0.utf8)) }
                if let stored, stored.collection != incoming.collection {
                    throw StoreError.collectionMismatch(id: incoming.id, stored: stored.collection)
                }
                let joined = stored.map { $0.joined(with: incoming) } ?? incoming
                guard joined != stored else { continue }
                try authorize(stored, joined)
                try Self.store(joined, in: db)
                changed += 1
            }
            return PushResponse(received: records.count, changed: changed)
        }
    }

    public func pull(since: UInt64, limit: Int) async throws -> PullPage {
        try await pool.read { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT seq, state FROM record WHERE seq > ? ORDER BY seq LIMIT ?",
                arguments: [Int64(clamping: since), limit + 1])
            let page = rows.prefix(limit)
            let latest = try UInt64(Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM record") ?? 0)
            let cursor: UInt64 = page.last.map { UInt64($0["seq"] as Int64) } ?? since
            var json = "{\"records\":["
            json.reserveCapacity(page.count * 1024)
            for (index, row) in page.enumerated() {
                if index > 0 { json += "," }
                json += row["state"] as String
            }
            json += "],\"cursor\":\(cursor),\"more\":\(rows.count > limit),\"latest\":\(latest)}"
            return PullPage(json: json, count: page.count, cursor: cursor)
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

    private static func store(_ state: RecordState, in db: Database) throws {
        let json = try WireJSON.string(state)
        try db.execute(
            sql: """
                INSERT INTO record(id, collection, seq, state)
                VALUES (?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM record), ?)
                ON CONFLICT(id) DO UPDATE SET seq = (SELECT coalesce(max(seq), 0) + 1 FROM record),
                    state = excluded.state
                """,
            arguments: [state.id, state.collection, json])
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
