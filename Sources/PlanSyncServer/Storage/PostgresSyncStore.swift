import Foundation
import Logging
import PlanSyncCore
import PostgresNIO
import Synchronization

/// The store on a PostgreSQL database, which any number of server instances share: records, the change feed,
/// epochs, tokens, replica bindings, evictions and held edits all live in the database, so any instance answers
/// any request. It executes the same push plan as the embedded store, through the same helpers.
public final class PostgresSyncStore: SyncStore {
    public let url: DatabaseURL
    let client: PostgresClient
    let schema: Schema
    let logger: Logger
    let server: ReplicaID
    /// Runs the pool's connections for as long as the store lives.
    private let running: Task<Void, Never>
    /// The epoch this process serves, once opened.
    private let opened = Mutex<Task<Epoch, any Error>?>(nil)
    /// Open decisions and held edits per record, brought up to date at each census
    /// (`PostgresSyncStore+Census.swift`).
    let decisionTally = Mutex(DecisionTally())

    /// Connects to the database at `url`, migrating and seeding it if needed. Throws a one-line `StoreError`
    /// when the database cannot be reached or refuses.
    public init(url: DatabaseURL, schema: Schema = .planSync, logger: Logger? = nil, connections: Int = 10)
        async throws
    {
        let logger = logger ?? Logger(label: "plansync-server", factory: { _ in SwiftLogNoOpLogHandler() })
        do {
            let connection = try await PostgresConnection.connect(
                configuration: url.connectionConfiguration, id: 0, logger: logger)
            do {
                server = try await Self.setUp(connection, schema: schema, url: url, logger: logger)
            } catch {
                try? await connection.close()
                throw error
            }
            try? await connection.close()
        } catch {
            throw StoreError.describing(error, at: url)
        }
        var configuration = url.clientConfiguration
        configuration.options.maximumConnections = connections
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.url = url
        self.schema = schema
        self.logger = logger
        // The pool works only while `run` runs; it ends when the store is released (see deinit).
        running = Task { await client.run() }
    }

    deinit {
        running.cancel()
    }

    public func serverID() async throws -> ReplicaID { server }

    public func epoch() async throws -> Epoch {
        // One epoch per process even when the first requests arrive together: they all await one opening.
        let opening = opened.withLock { current in
            if let current { return current }
            let task = Task {
                try await self.transaction { connection, logger in
                    let started = try await Self.latest(connection, logger)
                    let epoch = Epoch(id: ReplicaID.random().rawValue, startedAt: UInt64(started))
                    try await connection.query(
                        "INSERT INTO epoch(id, started_seq) VALUES (\(epoch.id), \(started))", logger: logger)
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
        return try await transaction { connection, logger in
            let latest = UInt64(try await Self.latest(connection, logger))
            if position.epoch == current.id { return position.seq <= latest ? nil : latest }
            let rows = try await connection.query(
                "SELECT ended_seq FROM epoch WHERE id = \(position.epoch)", logger: logger
            ).collect()
            // An epoch this data never had: it ran on data that was later replaced. Nothing can be assumed.
            guard let row = rows.first else { return 0 }
            // Another instance's epoch, or one of an earlier run, over this same history: all of it is here. An
            // epoch that was open when the data was found restored ends where the restored copy ends.
            let end = try row.decode(Int64?.self).map(UInt64.init) ?? latest
            return position.seq <= end ? nil : end
        }
    }

    public func bind(replica: ReplicaID, to token: String) async throws -> String {
        try await transaction { connection, logger in
            // Read first: every request binds, and nearly every replica is bound already.
            let owner: PostgresQuery = "SELECT token FROM replica WHERE id = \(replica.rawValue)"
            if let known = try await connection.query(owner, logger: logger).collect().first {
                return try known.decode(String.self)
            }
            try await connection.query(
                "INSERT INTO replica(id, token) VALUES (\(replica.rawValue), \(token)) ON CONFLICT (id) DO NOTHING",
                logger: logger)
            return try await connection.query(owner, logger: logger).collect().first?.decode(String.self) ?? token
        }
    }

    public func push(
        _ records: [RecordState], reading: @Sendable (RecordState) -> Set<WriteTarget>?,
        plan: @Sendable (RecordState, RecordState?, (String) throws -> RecordState?) throws -> PushStep
    ) async throws -> PushResponse {
        let schema = self.schema
        let epoch = try await epoch()
        return try await transaction { connection, logger in
            // The feed's counter row, locked first and held to the commit: pushes commit in the order of their
            // sequences, and a push reads stored records no other push is changing.
            var seq = try await Self.lockFeed(connection, logger: logger)
            let first = seq
            var execution = PushExecution(received: records.count)
            // Records read or written in this transaction, for the plan's lookups.
            var known: [String: RecordState?] = [:]
            func fetch(_ id: String) async throws -> RecordState? {
                if let hit = known[id] { return hit }
                let state = try await Self.fetch(id, connection, logger)
                known[id] = .some(state)
                return state
            }
            for incoming in records {
                // Only the stores the plan needs, when it needs no more: then it decides on them alone, and only
                // what changed of them is written.
                let stores = reading(incoming)
                let stored: RecordState?
                if let stores {
                    stored = try await Self.fetch(incoming.id, only: stores, connection, logger)
                } else {
                    stored = try await fetch(incoming.id)
                }
                try PushExecution.check(incoming, stored: stored)
                var step: PushStep?
                while step == nil {
                    do {
                        step = try Self.step(plan, incoming: incoming, stored: stored, known: known)
                    } catch let miss as NotRead {
                        _ = try await fetch(miss.id)
                    }
                }
                guard let step else { continue }
                for write in execution.writes(for: step, incoming: incoming, stored: stored) {
                    let row: StoredRecord
                    switch write {
                    case .store(let state, let previous, let origin, let whole):
                        if let stores, let previous, !whole {
                            if try await Self.writeStores(
                                state, previous: previous, origin: origin, at: seq + 1, connection, logger: logger)
                            {
                                seq += 1
                                known.removeValue(forKey: state.id)
                                execution.wrote(at: UInt64(seq))
                                continue
                            }
                            // The context alone moved, which the feed sends whole: written whole.
                            let current = try await Self.fetch(state.id, connection, logger)
                            let filled = RecordDelta(state, stores: stores).filled(from: current)
                            row = StoredRecord(filled, previous: current, origin: origin, whole: false, schema: schema)
                            known[state.id] = filled
                        } else {
                            row = StoredRecord(state, previous: previous, origin: origin, whole: whole, schema: schema)
                            known[state.id] = state
                        }
                    case .storeIfAbsent(let state):
                        guard try await fetch(state.id) == nil else { continue }
                        row = StoredRecord(state, previous: nil, origin: nil, whole: false, schema: schema)
                        known[state.id] = state
                    }
                    seq += 1
                    try await Self.write(row, at: seq, connection, logger: logger)
                    execution.wrote(at: UInt64(seq))
                }
            }
            if seq != first { try await connection.query("UPDATE feed SET seq = \(seq)", logger: logger) }
            return execution.finished(epoch: epoch)
        }
    }

    /// Runs the plan on one record. The plan's lookup is synchronous: it throws `NotRead` for a record not read
    /// yet in this transaction; the caller reads it and runs the plan, a pure function, again.
    private static func step(
        _ plan: (RecordState, RecordState?, (String) throws -> RecordState?) throws -> PushStep,
        incoming: RecordState, stored: RecordState?, known: [String: RecordState?]
    ) throws -> PushStep {
        try plan(incoming, stored) { id in
            guard let hit = known[id] else { throw NotRead(id: id) }
            return hit
        }
    }

    private struct NotRead: Error {
        var id: String
    }

    public func pull(
        since: UInt64, limit: Int, for principal: Principal, replica: ReplicaID?, deltas: Bool, extra: String
    ) async throws -> PullPage {
        // One snapshot for the whole page: every query of it sees the same committed pushes.
        try await transaction(isolation: "REPEATABLE READ READ ONLY") { connection, logger in
            let since = Int64(clamping: since)
            let scope = FeedScope(principal.reach)
            let evictions: [FeedEviction]
            if let office = scope.evictionsOf {
                evictions = try await connection.query(
                    """
                    SELECT seq, record_id FROM eviction WHERE seq > \(since) AND office = \(office)
                    ORDER BY seq LIMIT \(limit + 1)
                    """, logger: logger
                ).collect().map { row in
                    let (seq, id) = try row.decode((Int64, String).self)
                    return (seq: seq, id: id)
                }
            } else {
                evictions = []
            }
            let feed =
                deltas
                ? try await Self.storeFeed(
                    since: since, limit: limit, scope: scope, replica: replica, evictions: evictions, connection,
                    logger)
                : try await Self.recordFeed(
                    since: since, limit: limit, scope: scope, replica: replica, evictions: evictions, connection,
                    logger)
            // The latest change in the puller's own scope: it learns nothing of other offices' activity.
            let latest =
                try await connection.query(
                    """
                    SELECT greatest(
                        coalesce((SELECT max(seq) FROM record WHERE \(scope.everything) OR office IS NULL
                            OR office = \(scope.office)), 0),
                        coalesce((SELECT max(seq) FROM eviction WHERE office = \(scope.evictionsOf)), 0))
                    """, logger: logger
                ).collect().first?.decode(Int64.self) ?? 0
            return try feed.body(since: UInt64(since), latest: UInt64(latest), extra: extra)
        }
    }

    /// `Principal.reach` as the values of a condition on the record's office: everything, or the shared records
    /// and those of `office` (none for a nil office).
    private struct FeedScope {
        var everything: Bool
        var office: String?
        var evictionsOf: String?

        init(_ reach: Reach) {
            switch reach {
            case .everything: (everything, office, evictionsOf) = (true, nil, nil)
            case .sharedOnly: (everything, office, evictionsOf) = (false, nil, nil)
            case .sharedAnd(let office): (everything, self.office, evictionsOf) = (false, office, office)
            }
        }
    }

    /// The feed of records for a version-1 puller (`FeedPage.records`).
    private static func recordFeed(
        since: Int64, limit: Int, scope: FeedScope, replica: ReplicaID?, evictions: [FeedEviction],
        _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> FeedPage {
        let rows = try await connection.query(
            """
            SELECT seq, CASE WHEN origin IS NOT NULL AND origin = \(replica?.rawValue) THEN NULL ELSE state END, id,
                state_seq, context
            FROM record WHERE seq > \(since) AND (\(scope.everything) OR office IS NULL OR office = \(scope.office))
            ORDER BY seq LIMIT \(limit + 1)
            """, logger: logger
        ).collect().map { row in
            let (seq, state, id, stateSeq, context) = try row.decode((Int64, String?, String, Int64?, String?).self)
            return (seq: seq, row: state.map { StoredRow(id: id, snapshot: $0, stateSeq: stateSeq, context: context) })
        }
        let pieces = try await Self.pieces(of: rows.compactMap(\.row), connection, logger)
        return try FeedPage.records(
            rows.map { (seq: $0.seq, state: try $0.row.map { try Self.json(of: $0, pieces: pieces[$0.id] ?? []) }) },
            evictions: evictions, since: since, limit: limit)
    }

    /// The feed of stores for a version-2 puller (`StoreFeedReader`), read in chunks until the page is full.
    private static func storeFeed(
        since: Int64, limit: Int, scope: FeedScope, replica: ReplicaID?, evictions: [FeedEviction],
        _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> FeedPage {
        var reader = StoreFeedReader(since: since, limit: limit, evictions: evictions)
        var after = (seq: since, store: "")
        let chunk = 2_000
        reading: while true {
            let rows = try await connection.query(
                """
                SELECT record_store.seq, record_store.record_id, record_store.store FROM record_store
                JOIN record ON record.id = record_store.record_id
                WHERE record_store.seq > \(since) AND (record_store.seq > \(after.seq)
                        OR (record_store.seq = \(after.seq) AND record_store.store > \(after.store)))
                    AND (\(scope.everything) OR record.office IS NULL OR record.office = \(scope.office))
                ORDER BY record_store.seq, record_store.store LIMIT \(chunk)
                """, logger: logger
            ).collect()
            for row in rows {
                let (seq, id, store) = try row.decode((Int64, String, String).self)
                guard reader.take(seq: seq, id: id, store: store) else { break reading }
                after = (seq, store)
            }
            if rows.count < chunk { break }
        }
        reader.finish()
        var page = reader.page
        var records: [String: (collection: String, context: String?, own: Bool, row: StoredRow)] = [:]
        for try await (id, collection, context, own, state, stateSeq) in try await connection.query(
            """
            SELECT id, collection, context, coalesce(origin = \(replica?.rawValue), false), state, state_seq
            FROM record WHERE id = ANY(\(reader.taken))
            """, logger: logger
        ).decode((String, String, String?, Bool, String, Int64?).self) {
            records[id] = (
                collection, context, own, StoredRow(id: id, snapshot: state, stateSeq: stateSeq, context: context)
            )
        }
        // A record sent whole that is stored by field is put together from its pieces.
        let newer = try await Self.pieces(of: records.values.map(\.row), connection, logger)
        var stores: [String: [(String, String?)]] = [:]
        for try await (id, store, json) in try await connection.query(
            "SELECT record_id, store, json FROM record_store WHERE record_id = ANY(\(reader.taken)) AND seq > \(since)",
            logger: logger
        ).decode((String, String, String?).self) {
            stores[id, default: []].append((store, json))
        }
        for id in reader.taken {
            guard let record = records[id] else { continue }
            let entry = try reader.entry(
                id: id, collection: record.collection, context: record.context, own: record.own,
                stores: { stores[id] ?? [] }, whole: { try Self.json(of: record.row, pieces: newer[id] ?? []) })
            if let entry { page.records.append(entry) }
        }
        return page
    }

    public func register(key: ReplicaKey, for replica: ReplicaID) async throws -> ReplicaKey {
        try await transaction { connection, logger in
            try await connection.query(
                "UPDATE replica SET key = \(key.description) WHERE id = \(replica.rawValue) AND key IS NULL",
                logger: logger)
            let registered = try await connection.query(
                "SELECT key FROM replica WHERE id = \(replica.rawValue)", logger: logger
            ).collect().first?.decode(String?.self)
            return registered.flatMap(ReplicaKey.init) ?? key
        }
    }

    public func signer(_ replica: ReplicaID) async throws -> (principal: Principal, key: ReplicaKey)? {
        try await transaction { connection, logger in
            let query: PostgresQuery = """
                SELECT token.name, token.role, token.office, token.language, replica.key
                FROM replica JOIN token ON token.name = replica.token AND token.revoked_at IS NULL
                WHERE replica.id = \(replica.rawValue)
                """
            guard let row = try await connection.query(query, logger: logger).collect().first else { return nil }
            let (name, role, office, language, key) = try row.decode((String, String, String?, String?, String?).self)
            guard let role = Role(rawValue: role), let key = key.flatMap(ReplicaKey.init) else { return nil }
            return (Principal(name: name, role: role, office: office, language: language), key)
        }
    }

    public func principal(tokenHash: String) async throws -> Principal? {
        let rows = try await statement("SELECT name, hash, role, office, language FROM token WHERE revoked_at IS NULL")
        return try TokenHash.principal(
            matching: tokenHash,
            among: try rows.map { row in
                let (name, hash, role, office, language) = try row.decode(
                    (String, String, String, String?, String?).self)
                return (
                    hash: hash,
                    principal: Role(rawValue: role).map {
                        Principal(name: name, role: $0, office: office, language: language)
                    }
                )
            })
    }

    public func createToken(_ principal: Principal, hash: String) async throws {
        do {
            try await transaction { connection, logger in
                try await connection.query(
                    """
                    INSERT INTO token(name, hash, role, office, language)
                    VALUES (\(principal.name), \(hash), \(principal.role.rawValue), \(principal.office),
                        \(principal.language))
                    """, logger: logger)
            }
        } catch let error as StoreError {
            // The live name's unique index: another token by that name is live.
            if case .database(let message) = error, message.contains("token_live_name") {
                throw StoreError.tokenExists(principal.name)
            }
            throw error
        }
    }

    public func revokeToken(name: String) async throws -> Bool {
        try await transaction { connection, logger in
            try await connection.query(
                "UPDATE token SET revoked_at = now() WHERE name = \(name) AND revoked_at IS NULL RETURNING name",
                logger: logger
            ).collect().count > 0
        }
    }

    // MARK: - Rows

    /// Runs `body` in one transaction on a pooled connection; database errors come out as one-line
    /// `StoreError`s, refusals of the plan as they were thrown.
    func transaction<Result: Sendable>(
        isolation: String? = nil,
        _ body: (PostgresConnection, Logger) async throws -> Result
    ) async throws -> Result {
        let logger = self.logger
        do {
            return try await client.withTransaction(logger: logger) { connection in
                if let isolation {
                    try await connection.query(
                        PostgresQuery(unsafeSQL: "SET TRANSACTION ISOLATION LEVEL \(isolation)"), logger: logger)
                }
                return try await body(connection, logger)
            }
        } catch {
            throw StoreError.unwrapping(error, at: url)
        }
    }

    /// One statement through the pool, in no transaction of its own (a statement is atomic by itself): what runs on
    /// every request is not wrapped in BEGIN and COMMIT.
    func statement(_ query: PostgresQuery) async throws -> [PostgresRow] {
        do {
            return try await client.query(query, logger: logger).collect()
        } catch {
            throw StoreError.unwrapping(error, at: url)
        }
    }

    /// Takes the feed's counter row (its lock is held to the commit) and returns the last sequence handed out.
    static func lockFeed(_ connection: PostgresConnection, logger: Logger) async throws -> Int64 {
        try await connection.query("SELECT seq FROM feed WHERE id = 1 FOR UPDATE", logger: logger).collect().first?
            .decode(Int64.self) ?? 0
    }

    static func latest(_ connection: PostgresConnection, _ logger: Logger) async throws -> Int64 {
        try await connection.query("SELECT coalesce(max(seq), 0) FROM record", logger: logger).collect().first?
            .decode(Int64.self) ?? 0
    }

    /// Writes a record's row, its rows in the feed of stores and its eviction at sequence `seq`.
    static func write(
        _ row: StoredRecord, at seq: Int64, _ connection: PostgresConnection, logger: Logger
    ) async throws {
        try await connection.query(
            """
            INSERT INTO record(id, collection, seq, state, office, origin, context)
            VALUES (\(row.id), \(row.collection), \(seq), \(row.json), \(row.office), \(row.origin), \(row.context))
            ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, state = excluded.state, office = excluded.office,
                origin = excluded.origin, context = excluded.context, state_seq = NULL
            """, logger: logger)
        for store in row.stores {
            try await connection.query(
                """
                INSERT INTO record_store(record_id, store, seq, json) VALUES (\(row.id), \(store.name), \(seq),
                    \(store.json))
                ON CONFLICT (record_id, store) DO UPDATE SET seq = excluded.seq, json = excluded.json
                """, logger: logger)
        }
        if let left = row.evictedFrom {
            try await connection.query(
                "INSERT INTO eviction(seq, record_id, office) VALUES (\(seq), \(row.id), \(left))", logger: logger)
        }
    }
}
