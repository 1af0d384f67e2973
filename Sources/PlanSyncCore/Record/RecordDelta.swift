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
                if let entries = state.translations[language]?[field] { part.translations[language, default: [:]][field] = entries }
            case .lifecycle:
                part.tombstones = state.tombstones
            }
        }
        self.state = part
        self.stores = stores
    }
}

extension RecordState {
    /// The join with a delta: each store the delta carries is joined by the one dotted join
    /// (`Array.join(_:seenBy:_:seenBy:)`, as `joined(with:)` joins every store); every other store keeps this
    /// copy's entries; the context is the entry-wise maximum. A carried store with no entries is joined too:
    /// that is how a delta says "every element I had seen is gone".
    public func joined(with delta: RecordDelta) -> RecordState {
        precondition(id == delta.state.id, "joining \(id) with a delta of \(delta.state.id)")
        let other = delta.state
        var result = self
        result.context = context.merged(with: other.context)
        for target in delta.stores {
            switch target {
            case .field(let name):
                let entries = [FieldCandidate].join(
                    fields[name] ?? [], seenBy: context, other.fields[name] ?? [], seenBy: other.context)
                result.fields[name] = entries.isEmpty ? nil : entries
            case .translation(let field, let language):
                let entries = [TranslationCandidate].join(
                    translations[language]?[field] ?? [], seenBy: context, other.translations[language]?[field] ?? [],
                    seenBy: other.context)
                result.translations[language, default: [:]][field] = entries.isEmpty ? nil : entries
                if result.translations[language]?.isEmpty == true { result.translations[language] = nil }
            case .lifecycle:
                result.tombstones = [Tombstone].join(
                    tombstones, seenBy: context, other.tombstones, seenBy: other.context)
            }
        }
        return result
    }
}
