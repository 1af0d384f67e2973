/// One record as a replica holds it: its causal context and every surviving dotted entry.
///
/// This is the unit that travels between replicas and the server, always whole, and the unit the join
/// works on. What a person sees (a field's value, its conflict, a translation's staleness) is derived from it
/// by the views in `RecordState+Views.swift`; nothing derived is stored.
public struct RecordState: Hashable, Sendable, Codable {
    public let id: String
    public let collection: String
    /// Every dot this copy has seen, held or superseded.
    public var context: VersionVector
    /// Field name → its candidates (a register) or its elements (an add-wins set), sorted by dot.
    public var fields: [String: [FieldCandidate]]
    /// Language → field name → candidate translations, sorted by dot.
    public var translations: [String: [String: [TranslationCandidate]]]
    /// Deletes not yet superseded by a later delete.
    public var tombstones: [Tombstone]

    public init(id: String, collection: String) {
        self.id = id
        self.collection = collection
        self.context = VersionVector()
        self.fields = [:]
        self.translations = [:]
        self.tombstones = []
    }

    private enum CodingKeys: String, CodingKey {
        case id, collection, context, fields, translations, tombstones
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        collection = try container.decode(String.self, forKey: .collection)
        context = try container.decode(VersionVector.self, forKey: .context)
        fields = try container.decodeIfPresent([String: [FieldCandidate]].self, forKey: .fields) ?? [:]
        translations =
            try container.decodeIfPresent([String: [String: [TranslationCandidate]]].self, forKey: .translations)
            ?? [:]
        tombstones = try container.decodeIfPresent([Tombstone].self, forKey: .tombstones) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(collection, forKey: .collection)
        try container.encode(context, forKey: .context)
        if !fields.isEmpty { try container.encode(fields, forKey: .fields) }
        if !translations.isEmpty { try container.encode(translations, forKey: .translations) }
        if !tombstones.isEmpty { try container.encode(tombstones, forKey: .tombstones) }
    }
}

// MARK: - Join

extension RecordState {
    /// The join of two copies of one record: commutative, associative and idempotent.
    ///
    /// Each dotted store (every field, every translation, the tombstones) is joined on its own against the two
    /// contexts; the result's context is their entry-wise maximum. Both the replica (on pull) and the server
    /// (on push) call this, and nothing else merges records.
    public func joined(with other: RecordState) -> RecordState {
        precondition(id == other.id, "joining \(id) with \(other.id)")
        var result = RecordState(id: id, collection: min(collection, other.collection))
        result.context = context.merged(with: other.context)
        for name in Set(fields.keys).union(other.fields.keys) {
            let entries = [FieldCandidate].join(
                fields[name] ?? [], seenBy: context, other.fields[name] ?? [], seenBy: other.context)
            if !entries.isEmpty { result.fields[name] = entries }
        }
        for language in Set(translations.keys).union(other.translations.keys) {
            let mine = translations[language] ?? [:]
            let theirs = other.translations[language] ?? [:]
            var joined: [String: [TranslationCandidate]] = [:]
            for name in Set(mine.keys).union(theirs.keys) {
                let entries = [TranslationCandidate].join(
                    mine[name] ?? [], seenBy: context, theirs[name] ?? [], seenBy: other.context)
                if !entries.isEmpty { joined[name] = entries }
            }
            if !joined.isEmpty { result.translations[language] = joined }
        }
        result.tombstones = [Tombstone].join(tombstones, seenBy: context, other.tombstones, seenBy: other.context)
        return result
    }

    /// Every dot of a live entry (fields and translations; not tombstones).
    var entryDots: [Dot] {
        fields.values.flatMap { $0.map(\.dot) }
            + translations.values.flatMap { $0.values.flatMap { $0.map(\.dot) } }
    }

    /// The latest hybrid timestamp in this state, so a replica's clock can move past what it receives.
    public var latestTime: HybridTimestamp? {
        // Asked of every pulled record: a walk, with no array of times built.
        var latest: HybridTimestamp?
        func see(_ time: HybridTimestamp) { if latest.map({ time > $0 }) ?? true { latest = time } }
        for entries in fields.values { for entry in entries { see(entry.time) } }
        for byField in translations.values {
            for entries in byField.values { for entry in entries { see(entry.time) } }
        }
        for tombstone in tombstones { see(tombstone.time) }
        return latest
    }
}
