/// What a replica knows of the writes to one record, per field and translation (`plansync history`): the
/// entries it holds, and — for a record with queued edits — those of the copy last known from the server that
/// the queued edits superseded. Older writes that were superseded before are not kept anywhere; resolutions
/// name the values they replaced.
public struct RecordHistory: Sendable, Codable, Hashable {
    /// One write a replica knows of.
    public struct Write: Sendable, Codable, Hashable {
        /// The replica that made it, and its n-th write to this record.
        public var replica: String
        public var counter: UInt64
        /// Milliseconds since 1970 on the writer's hybrid clock.
        public var at: UInt64
        public var value: String
        /// A translation's review status.
        public var status: TranslationStatus?
        /// `shown`, `conflict` (a concurrent candidate waiting on a decision), `element` (of a list),
        /// `older` (lost to a later write by the field's rule) or `queued-over` (superseded by an edit queued
        /// here, not yet pushed).
        public var standing: String
        /// Set when the write settled a conflict: who, when, and the values it superseded.
        public var resolution: Resolution?
    }

    /// The writes of one field (`language` nil) or of one field's translation.
    public struct Target: Sendable, Codable, Hashable {
        public var field: String
        public var language: String?
        public var writes: [Write]
    }

    public var id: String
    public var collection: String
    public var deleted: Bool
    public var targets: [Target]

    /// The history of `state`, with `base` the copy last known from the server when edits are queued.
    public init(_ state: RecordState, base: RecordState? = nil, schema: Schema = .planSync) {
        id = state.id
        collection = state.collection
        deleted = state.isDeleted
        let order = schema.collection(state.collection)?.fields.map(\.name) ?? []
        let names = Set(state.fields.keys).union(base.map { Array($0.fields.keys) } ?? [])
        targets = names.sorted { (order.firstIndex(of: $0) ?? .max, $0) < (order.firstIndex(of: $1) ?? .max, $1) }
            .map { name in
                let rule = schema.collection(state.collection)?.field(name)?.rule ?? .keepBoth
                let held = (state.fields[name] ?? []).latestFirst
                let conflict = state.conflict(of: name, schema: schema).count > 1
                var writes = held.enumerated().map { index, entry in
                    Write(
                        entry, value: entry.value, status: nil,
                        standing: rule == .addWinsSet
                            ? "element" : (index == 0 ? "shown" : (conflict ? "conflict" : "older")))
                }
                writes += Self.queuedOver(base?.fields[name], held: held.map(\.dot)).map {
                    Write($0, value: $0.value, status: nil, standing: "queued-over")
                }
                return Target(field: name, language: nil, writes: writes)
            }
        for language in Set(state.translations.keys).union(base.map { Array($0.translations.keys) } ?? []).sorted() {
            let mine = state.translations[language] ?? [:]
            for name in Set(mine.keys).union((base?.translations[language]).map { Array($0.keys) } ?? []).sorted() {
                let held = (mine[name] ?? []).shownFirst
                let conflict = Set(held.map(\.text)).count > 1
                var writes = held.enumerated().map { index, entry in
                    Write(
                        entry, value: entry.text, status: entry.status,
                        standing: index == 0 ? "shown" : (conflict ? "conflict" : "older"))
                }
                writes += Self.queuedOver(base?.translations[language]?[name], held: held.map(\.dot)).map {
                    Write($0, value: $0.text, status: $0.status, standing: "queued-over")
                }
                targets.append(Target(field: name, language: language, writes: writes))
            }
        }
    }

    private static func queuedOver<Entry: DottedEntry>(_ entries: [Entry]?, held: [Dot]) -> [Entry] {
        (entries ?? []).latestFirst.filter { !held.contains($0.dot) }
    }
}

extension RecordHistory.Write {
    init(_ entry: some DottedEntry, value: String, status: TranslationStatus?, standing: String) {
        replica = entry.dot.replica.rawValue
        counter = entry.dot.counter
        at = entry.time.wall
        self.value = value
        self.status = status
        self.standing = standing
        resolution = (entry as? FieldCandidate)?.resolution ?? (entry as? TranslationCandidate)?.resolution
    }
}
