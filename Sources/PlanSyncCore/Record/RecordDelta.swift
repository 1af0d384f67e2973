/// Part of a record: some of its dotted stores (fields, translations, the tombstones) with the record's whole
/// context. What a sync by field sends instead of the whole record.
///
/// Read as a whole state it would mean "every store left out was superseded" (covered but absent). It is not
/// one: joining a delta joins the stores it carries, exactly as the whole state's join would, and keeps the
/// receiver's own entries of every other store. That equals the join of the whole state whenever the receiver
/// has seen every entry of the stores left out — which holds when they are left out because the sender did
/// not write them since the receiver last acknowledged its copy (docs/PROTOCOL.md, "Deltas").
public struct RecordDelta: Hashable, Sendable {
    /// The record with only the carried stores, and its whole context.
    public var state: RecordState
    /// The stores carried, with or without entries; `.lifecycle` stands for the tombstones.
    public var stores: Set<WriteTarget>

    /// The stores of `state` named by `stores`.
    public init(_ state: RecordState, stores: Set<WriteTarget>) {
        var part = RecordState(id: state.id, collection: state.collection)
        part.context = state.context
        for target in stores {
            switch target {
            case .field(let name):
                part.fields[name] = state.fields[name]
            case .translation(let field, let language):
                if let entries = state.translations[language]?[field] {
                    part.translations[language, default: [:]][field] = entries
                }
            case .lifecycle:
                part.tombstones = state.tombstones
            }
        }
        self.state = part
        self.stores = stores
    }
}

extension RecordState {
    /// The join with a delta: this copy's carried stores joined with the delta by the one join
    /// (`joined(with:)`), every other store kept as this copy holds it, the context the entry-wise maximum.
    /// A carried store with no entries is joined too: that is how a delta says "every element I had seen is
    /// gone".
    public func joined(with delta: RecordDelta) -> RecordState {
        precondition(id == delta.state.id, "joining \(id) with a delta of \(delta.state.id)")
        let part = RecordDelta(self, stores: delta.stores).state.joined(with: delta.state)
        var result = self
        result.context = part.context
        for target in delta.stores {
            switch target {
            case .field(let name):
                result.fields[name] = part.fields[name]
            case .translation(let field, let language):
                result.translations[language, default: [:]][field] = part.translations[language]?[field]
                if result.translations[language]?.isEmpty == true { result.translations[language] = nil }
            case .lifecycle:
                result.tombstones = part.tombstones
            }
        }
        return result
    }
}

extension RecordDelta {
    /// The delta a replica pushes: the stores of `current` that differ from `base`, the copy the server last
    /// acknowledged (every entry of `base` is held by the server). Nil when the record must travel whole: it
    /// has no such base (created here, or queued again after the server's history went back), or no store
    /// differs.
    public init?(_ current: RecordState, since base: RecordState?) {
        guard let base else { return nil }
        let stores = current.targetsChanged(from: base)
        guard !stores.isEmpty else { return nil }
        self.init(current, stores: stores)
    }

    /// The whole state a receiver holding `stored` reads this delta as: the carried stores, every other store
    /// as `stored` holds it, and the delta's context. The whole-state join of `stored` with it equals
    /// `stored.joined(with: self)`, so a server runs its one push plan (verification, join, role) on it.
    public func filled(from stored: RecordState?) -> RecordState {
        guard let stored else { return state }
        var whole = stored
        whole.context = state.context
        for target in stores {
            switch target {
            case .field(let name):
                whole.fields[name] = state.fields[name]
            case .translation(let field, let language):
                whole.translations[language, default: [:]][field] = state.translations[language]?[field]
                if whole.translations[language]?.isEmpty == true { whole.translations[language] = nil }
            case .lifecycle:
                whole.tombstones = state.tombstones
            }
        }
        return whole
    }
}

extension WriteTarget: Codable {
    public init(from decoder: any Decoder) throws {
        let name = try decoder.singleValueContainer().decode(String.self)
        guard let target = WriteTarget(storeName: name) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "no store '\(name)'"))
        }
        self = target
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(storeName)
    }

    /// The store's name on the wire: `fields.NAME`, `translations.LANG.FIELD`, or `tombstones`.
    public var storeName: String {
        switch self {
        case .field(let name): "fields.\(name)"
        case .translation(let field, let language): "translations.\(language).\(field)"
        case .lifecycle: "tombstones"
        }
    }

    /// The store named `storeName`, or nil for a name of no store.
    public init?(storeName: some StringProtocol) {
        if storeName == "tombstones" {
            self = .lifecycle
            return
        }
        if storeName.hasPrefix("fields."), storeName.count > "fields.".count {
            self = .field(String(storeName.dropFirst("fields.".count)))
            return
        }
        guard storeName.hasPrefix("translations.") else { return nil }
        let rest = storeName.dropFirst("translations.".count)
        guard let dot = rest.firstIndex(of: "."), dot != rest.startIndex, rest.index(after: dot) != rest.endIndex
        else { return nil }
        self = .translation(field: String(rest[rest.index(after: dot)...]), language: String(rest[..<dot]))
    }
}
