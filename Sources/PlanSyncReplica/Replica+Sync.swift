import Foundation
import GRDB
import PlanSyncCore

/// A record waiting in the outbox, with the revision it had when read.
public struct PendingRecord: Sendable {
    /// The record whole, or only its delta's stores when it was read for a push of deltas (`delta` then set).
    public let state: RecordState
    public let revision: Int64
    /// The stores written here since the server last acknowledged the record (`RecordDelta(_:since:)`), or nil
    /// when it must travel whole: created here, queued again after the server's history went back, or pushed
    /// before without an answer (the server may hold writes its base lacks).
    public let delta: RecordDelta?
    /// Whether `state` is the whole record.
    public let isWhole: Bool

    public init(state: RecordState, revision: Int64, delta: RecordDelta? = nil, isWhole: Bool = true) {
        self.state = state
        self.revision = revision
        self.delta = delta
        self.isWhole = isWhole
    }
}

extension Replica {
    /// Up to `limit` records with unacknowledged local writes queued after `revision`, in queue order, each
    /// with its delta against the copy the server acknowledged.
    ///
    /// With `deltas` (the push sends them), a record whose outbox notes the stores written since its base is read
    /// as just those stores: its `state` is then its delta's, not the whole record.
    public func pending(limit: Int, after revision: Int64 = 0, deltas: Bool = false) async throws -> [PendingRecord] {
        try await pool.read { db in
            // A cursor, not `fetchAll`: the rows are read in place rather than copied with their column names.
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT record.state, outbox.revision, outbox_base.state,
                        outbox.sent OR outbox_base.record_id IS NULL, outbox.stores, outbox_base.state IS NOT NULL
                    FROM outbox JOIN record ON record.id = outbox.record_id
                    LEFT JOIN outbox_base ON outbox_base.record_id = outbox.record_id
                    WHERE outbox.revision > ? ORDER BY outbox.revision LIMIT ?
                    """,
                arguments: [revision, limit])
            var pending: [PendingRecord] = []
            while let row = try rows.next() {
                // After a push that got no answer the server may hold writes the base lacks: whole then, as
                // when no base was kept.
                let whole: Bool = row[3]
                if deltas, !whole, row[5] as Bool, let noted = row[4] as String?,
                    case let stores = try RecordJSON.stores(noted), !stores.isEmpty
                {
                    let part = try Self.stored(row, 0, only: stores)
                    pending.append(
                        PendingRecord(
                            state: part, revision: row[1], delta: RecordDelta(part, stores: stores), isWhole: false))
                    continue
                }
                let state = try Self.stored(row, 0)
                let base = whole ? nil : try (row[2] as String?).map(Self.decode)
                pending.append(PendingRecord(state: state, revision: row[1], delta: RecordDelta(state, since: base)))
            }
            return pending
        }
    }

    /// The record stored in column `column` of a row read through a cursor (only its stores `wanted`, when
    /// given), read from the row's bytes in place: not made a `String`, which would check every byte before the
    /// reader does.
    static func stored(_ row: Row, _ column: Int, only wanted: Set<WriteTarget>? = nil) throws -> RecordState {
        try row.withUnsafeData(atIndex: column) { data in
            guard let data else { throw ReplicaError("a queued record has no stored state") }
            return try RecordJSON.stored(snapshot: data, context: nil, pieces: [], only: wanted)
        }
    }

    /// The protocol version the server last said it speaks (1 until a pull page of a newer server said more).
    public func serverProtocol() async throws -> Int {
        try await pool.read { db in try Meta.get(.serverProtocol, in: db).flatMap(Int.init) ?? 1 }
    }

    /// Notes that the server speaks `version` (a version-1 server refused a push of deltas).
    public func setServerProtocol(_ version: Int) async throws {
        try await pool.write { db in try Meta.set(.serverProtocol, String(version), in: db) }
    }

    /// How many records wait to be pushed.
    public func pendingCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox") ?? 0 }
    }

    /// Removes pushed records from the outbox once the server has committed them — unless they were edited
    /// again since they were read, in which case the newer edit stays queued, or the server could believe only
    /// part of them (`partial`), which wait for the writes of others to come back. Records where the server's
    /// history stands (`history`) in the same transaction.
    public func acknowledge(
        _ pushed: [PendingRecord], except partial: Set<String> = [], history: HistoryPosition? = nil
    )
        async throws
    {
        try await pool.write { db in
            let delete = try db.cachedStatement(sql: "DELETE FROM outbox WHERE record_id = ? AND revision = ?")
            for record in pushed where !partial.contains(record.state.id) {
                try delete.execute(arguments: [record.state.id, record.revision])
                try Self.dropBase(of: record.state.id, in: db)
            }
            if let history { try Self.advance(history, in: db) }
        }
    }

    // MARK: - The server's history

    /// The latest position this replica saw of its server's history, or nil before its first sync.
    public func history() async throws -> HistoryPosition? {
        try await pool.read { db in try Meta.get(.history, in: db).flatMap(HistoryPosition.init) }
    }

    /// Whether the replica is re-pushing its own writes after its server's history went back.
    public func isRecovering() async throws -> Bool {
        try await pool.read { db in try Meta.get(.recovering, in: db) == "1" }
    }

    /// The server's history went back (restored from a backup): it holds what this replica saw only up to
    /// `resume`. In one transaction: pull again from there, queue every record holding a write of this
    /// replica's own (the server may have lost it; a record it holds is pushed for nothing), and push in
    /// recovering mode until the server believes all of them. Returns how many records were queued.
    @discardableResult
    public func beginRecovery(resume: UInt64, epoch: String) async throws -> Int {
        try await pool.write { db in
            let identity = try ReplicaIdentity(db)
            let cursor = try Meta.get(.cursor, in: db).flatMap(UInt64.init) ?? 0
            try Meta.set(.cursor, String(min(cursor, resume)), in: db)
            let seen = try Meta.get(.history, in: db).flatMap(HistoryPosition.init)?.seq ?? 0
            try Meta.set(.history, "\(HistoryPosition(epoch: epoch, seq: min(seen, resume)))", in: db)
            var revision = try Meta.get(.revision, in: db).flatMap(Int64.init) ?? 0
            let ids = try String.fetchAll(
                db, sql: "SELECT id FROM record WHERE coalesce(json_extract(state, ?), 0) > 0 ORDER BY id",
                arguments: ["$.context.\"\(identity.replica.rawValue)\""])
            let queuedAt = Date().ISO8601Format()
            for id in ids {
                revision += 1
                try db.execute(
                    sql: "INSERT INTO outbox(record_id, revision, queued_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    arguments: [id, revision, queuedAt])
            }
            try Meta.set(.revision, String(revision), in: db)
            try Meta.set(.recovering, "1", in: db)
            return ids.count
        }
    }

    /// Ends recovering mode once the server has believed every queued record whole.
    public func endRecovery() async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM meta WHERE key = ?", arguments: [Meta.recovering.rawValue])
        }
    }

    /// Moves the replica's position to the server's newer epoch and the highest sequence it has seen.
    static func advance(_ position: HistoryPosition, in db: Database) throws {
        let seen = try Meta.get(.history, in: db).flatMap(HistoryPosition.init)?.seq ?? 0
        try Meta.set(.history, "\(HistoryPosition(epoch: position.epoch, seq: max(seen, position.seq)))", in: db)
    }

    // MARK: - Clocks

    /// Gives new timestamps to this replica's own queued writes dated beyond the server's clock plus the drift
    /// bound (written while the device's clock was ahead; the server refused them), and sets the replica's clock
    /// back if it is ahead too. Only when the device's clock agrees with the server's again (`now`). Returns
    /// how many records were re-stamped.
    @discardableResult
    public func restamp(serverTime: UInt64, now: UInt64) async throws -> Int {
        try await pool.write { db in
            let identity = try ReplicaIdentity(db)
            var clock =
                try Meta.getJSON(.clock, HybridLogicalClock.self, in: db)
                ?? HybridLogicalClock(replica: identity.replica)
            let limit = max(serverTime, now) + CausalBounds.maxDrift
            if clock.isAhead(of: limit) { clock.rewind(to: max(serverTime, now)) }
            var revision = try Meta.get(.revision, in: db).flatMap(Int64.init) ?? 0
            let states = try String.fetchAll(
                db,
                sql:
                    "SELECT record.state FROM outbox JOIN record ON record.id = outbox.record_id ORDER BY outbox.revision"
            )
            var count = 0
            for json in states {
                let state = try Self.decode(json)
                let restamped = try state.restamped(by: identity.replica, beyond: limit, clock: &clock, now: now)
                guard restamped != state else { continue }
                try Self.store(restamped, in: db, schema: self.schema)
                revision += 1
                // The stores it changed are found again by comparing with the base.
                try db.execute(
                    sql: "UPDATE outbox SET revision = ?, stores = NULL WHERE record_id = ?",
                    arguments: [revision, state.id])
                count += 1
            }
            try Meta.setJSON(.clock, clock, in: db)
            try Meta.set(.revision, String(revision), in: db)
            return count
        }
    }

    /// The server sequence this replica has pulled up to.
    public func cursor() async throws -> UInt64 {
        try await pool.read { db in try Meta.get(.cursor, in: db).flatMap(UInt64.init) ?? 0 }
    }

    /// Joins a pulled page into the replica and moves the cursor, in one transaction. Local writes not yet
    /// pushed survive the join (the server has not seen their dots) and stay queued. Returns how many
    /// records changed here.
    @discardableResult
    public func apply(_ page: PullResponse) async throws -> Int {
        var ignored = PulledChanges(limit: 0)
        return try await apply(page, noting: &ignored)
    }

    /// Joins a pulled page like `apply(_:)`, and notes in `changes` which records changed here and how.
    @discardableResult
    public func apply(_ page: PullResponse, noting changes: inout PulledChanges) async throws -> Int {
        // Timestamps beyond the server's clock (or this one's) plus the drift bound are never adopted.
        let limit = max(Self.wallClock(), page.time ?? 0) + CausalBounds.maxDrift
        let (changed, noted) = try await pool.write { [changes] db in
            var noted = changes
            var clock: HybridLogicalClock? = try Meta.getJSON(.clock, HybridLogicalClock.self, in: db)
            if clock == nil { clock = HybridLogicalClock(replica: try ReplicaIdentity(db).replica) }
            var changed = 0
            for (index, incoming) in page.records.enumerated() {
                if let time = incoming.latestTime { clock?.observe(time, limit: limit) }
                // A delta carries the stores changed since this replica's cursor; it holds the others already.
                let delta = page.stores[incoming.id].map { RecordDelta(incoming, stores: $0) }
                // The server has this record as sent: what a queued record's writes are measured against.
                try Self.joinBase(of: incoming, delta: delta, in: db)
                let received = delta == nil ? page.receivedJSON?[index] : nil
                guard
                    let (joined, was) = try Self.join(
                        incoming, delta: delta, json: received, in: db, schema: self.schema)
                else { continue }
                noted.note(joined, was: was)
                changed += 1
            }
            try Meta.setJSON(.clock, clock, in: db)
            if let version = page.protocolVersion { try Meta.set(.serverProtocol, String(version), in: db) }
            for id in page.evicted { try Self.drop(id, reason: "it left this replica's scope", in: db) }
            try Meta.set(.cursor, String(page.cursor), in: db)
            if let epoch = page.epoch { try Self.advance(HistoryPosition(epoch: epoch, seq: page.cursor), in: db) }
            return (changed, noted)
        }
        changes = noted
        return changed
    }

    /// Joins a received record (whole, or `delta`) into this replica's copy and stores the result when it differs:
    /// a record new here is stored as it came (`json`, when its received text is at hand), with nothing to join or
    /// encode again. Returns the state stored and the one before, or nil when nothing changed. A pulled page and
    /// an imported bundle both join this way.
    static func join(
        _ incoming: RecordState, delta: RecordDelta? = nil, json: String? = nil, in db: Database, schema: Schema
    ) throws -> (stored: RecordState, was: RecordState?)? {
        guard let local = try fetchState(incoming.id, in: db) else {
            try store(incoming, json: json ?? RecordJSON.string(incoming), in: db, schema: schema)
            return (incoming, nil)
        }
        let joined = delta.map { local.joined(with: $0) } ?? local.joined(with: incoming)
        guard joined != local else { return nil }
        try store(joined, in: db, schema: schema)
        return (joined, local)
    }

    /// Drops records the server says this replica may no longer hold. A record with unpushed local edits is
    /// set aside (table `set_aside`) with the reason, never silently discarded.
    public func drop(_ ids: [String], reason: String) async throws {
        try await pool.write { db in
            for id in ids { try Self.drop(id, reason: reason, in: db) }
        }
    }

    /// Forgets the local copy of records whose edit the server kept elsewhere (an approved report's held edit):
    /// the next pull brings the server's copy back.
    public func forget(_ ids: [String]) async throws {
        try await pool.write { db in
            for id in ids {
                try db.execute(sql: "DELETE FROM outbox WHERE record_id = ?", arguments: [id])
                try Self.dropBase(of: id, in: db)
                try db.execute(sql: "DELETE FROM record WHERE id = ?", arguments: [id])
            }
        }
    }

    /// Records set aside because they left this replica's scope with unpushed edits.
    public func setAside() async throws -> [(id: String, reason: String, at: String)] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT record_id, reason, at FROM set_aside ORDER BY at, record_id").map {
                ($0[0], $0[1], $0[2])
            }
        }
    }

    static func drop(_ id: String, reason: String, in db: Database) throws {
        let pending = try Bool.fetchOne(db, sql: "SELECT 1 FROM outbox WHERE record_id = ?", arguments: [id]) ?? false
        if pending, let state = try String.fetchOne(db, sql: "SELECT state FROM record WHERE id = ?", arguments: [id]) {
            try db.execute(
                sql: "INSERT INTO set_aside(record_id, state, reason, at) VALUES (?, ?, ?, ?)",
                arguments: [id, state, reason, Date().ISO8601Format()])
        }
        try db.execute(sql: "DELETE FROM outbox WHERE record_id = ?", arguments: [id])
        try dropBase(of: id, in: db)
        try db.execute(sql: "DELETE FROM record WHERE id = ?", arguments: [id])
    }
}
