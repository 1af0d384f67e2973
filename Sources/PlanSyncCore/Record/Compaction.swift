/// What a server may remove from what it stores, decided from how far each replica has synced: the contents
/// (field and translation entries) of a deleted record, once every replica that synced within the retention
/// horizon has pulled past the record's last change (docs/PROTOCOL.md, "Compaction and the retention horizon").
///
/// The record itself stays: its context and tombstones keep it deleted, and any older copy joined with it loses
/// its contents too (they are covered and absent, as superseded entries are). Nothing the join would keep is
/// removed, so no replica, however long away, pushes back anything deleted.
public struct Compaction: Sendable, Hashable {
    /// How long the server waits for a replica that stopped syncing, in milliseconds.
    public var horizon: UInt64
    /// The server's wall clock, in milliseconds since 1970.
    public var now: UInt64

    /// The horizon a server compacts with unless told otherwise: 180 days, in milliseconds.
    public static let defaultHorizon: UInt64 = 180 * 86_400_000

    public init(horizon: UInt64, now: UInt64) {
        self.horizon = horizon
        self.now = now
    }

    /// What the server knows of one bound replica.
    public struct Progress: Sendable, Hashable {
        public var replica: ReplicaID
        /// When it last pushed or pulled (or, never having done so, when it was bound), in milliseconds.
        public var lastSync: UInt64
        /// The cursor it last pulled from: every change up to it is in that replica.
        public var pulled: UInt64

        public init(replica: ReplicaID, lastSync: UInt64, pulled: UInt64) {
            self.replica = replica
            self.lastSync = lastSync
            self.pulled = pulled
        }
    }

    /// Replicas that last synced before this time are away: the server no longer waits for them.
    public var cutoff: UInt64 { now > horizon ? now - horizon : 0 }

    /// Whether a replica that last synced at `lastSync` is away past the horizon.
    public func isAway(lastSync: UInt64) -> Bool { lastSync < cutoff }

    /// The sequence every replica active within the horizon has pulled past: a record whose last change is at
    /// or before it has been seen, at its latest state, by all of them. `latest` (everything) when none is active.
    public func settled(_ replicas: [Progress], latest: UInt64) -> UInt64 {
        replicas.filter { !isAway(lastSync: $0.lastSync) }.map(\.pulled).reduce(latest, min)
    }

    /// The replicas the server stops waiting for.
    public func away(_ replicas: [Progress]) -> [Progress] {
        replicas.filter { isAway(lastSync: $0.lastSync) }
    }

    /// The compacted state of a record last changed at `seq`, or nil when nothing of it may go: it is live, holds
    /// no contents, or a replica active within the horizon has not pulled its latest state.
    public func compacted(_ record: RecordState, seq: UInt64, settled: UInt64, schema: Schema = .planSync)
        -> RecordState?
    {
        guard seq <= settled else { return nil }
        return record.withoutContents(schema: schema)
    }
}

extension RecordState {
    /// A deleted record without its contents: the same id, context and tombstones, and of its fields only the one
    /// that decides who receives it (a report's `office`, so it stays in its office's scope). Nil for a live
    /// record or one with nothing to remove. Joined with any copy of the record, it gives the copy without those
    /// contents: a delete covers every entry, and covered but absent means superseded.
    public func withoutContents(schema: Schema = .planSync) -> RecordState? {
        guard isDeleted else { return nil }
        let kept = schema.collection(collection)?.scopeField
        var result = self
        result.fields = fields.filter { $0.key == kept }
        result.translations = [:]
        return result == self ? nil : result
    }
}

/// What one compaction removed (or, dry, would remove).
public struct CompactionSummary: Sendable, Hashable, Codable {
    /// Deleted records whose contents went.
    public var records = 0
    /// Field and translation entries removed.
    public var entries = 0
    /// Bytes of stored record JSON removed (the record rows and their pieces in the feed of stores).
    public var bytes = 0
    /// Replicas away past the horizon, which the compaction did not wait for.
    public var away = 0
    /// The sequence every active replica had pulled past.
    public var settled: UInt64 = 0

    public init() {}

    /// Counts one compacted record: the entries `record` holds and `compacted` no longer does (a report keeps
    /// its `office`).
    public mutating func add(_ record: RecordState, compacted: RecordState, storedBytes: Int) {
        records += 1
        entries += Self.entries(of: record) - Self.entries(of: compacted)
        bytes += storedBytes
    }

    /// The field and translation entries of a record.
    static func entries(of record: RecordState) -> Int {
        record.fields.values.reduce(0) { $0 + $1.count }
            + record.translations.values.reduce(0) { $0 + $1.values.reduce(0) { $0 + $1.count } }
    }

    /// The one line `plansync-server compact` prints.
    public func line(dryRun: Bool) -> String {
        let verb = dryRun ? "would remove" : "removed"
        // Tenths of a KiB, rounded.
        let tenths = (bytes * 10 + 512) / 1024
        let size = "\(tenths / 10).\(tenths % 10)"
        var line = "\(verb) the contents of \(records) deleted record(s): \(entries) entries, \(size) KiB"
        line += "; every replica synced within the horizon had pulled up to change \(settled)"
        if away > 0 { line += "; \(away) replica(s) away past the horizon not waited for" }
        return line
    }
}
