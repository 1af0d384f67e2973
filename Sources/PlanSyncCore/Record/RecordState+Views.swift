/// A field's value as a person sees it once its conflict rule has reduced the candidates.
///
/// In JSON a text is a string and a list an array of strings.
public enum FieldValue: Hashable, Sendable, Encodable {
    case text(String)
    case list([String])

    /// The value as one string: text as is, a list one element per line.
    public var text: String {
        switch self {
        case .text(let text): text
        case .list(let elements): elements.joined(separator: "\n")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let text): try container.encode(text)
        case .list(let elements): try container.encode(elements)
        }
    }
}

/// A translation as a person sees it.
public struct TranslationView: Hashable, Sendable {
    public var text: String
    public var status: TranslationStatus
    /// `SourceHash` of the English this translation was made from.
    public var source: String
    /// The source changed since this translation was made (derived, never stored).
    public var stale: Bool
    /// Every concurrent candidate text, latest first; more than one is a conflict.
    public var candidates: [String]
}

extension RecordState {
    /// Whether the record is deleted: some delete saw every live write. A write the delete had not seen was
    /// concurrent with it (or came after it) and keeps the record alive: an update beats a delete.
    public var isDeleted: Bool {
        guard !tombstones.isEmpty else { return false }
        let dots = entryDots
        return tombstones.contains { tombstone in dots.allSatisfy { tombstone.seen.covers($0) } }
    }

    /// The field's value after its rule: the provisional candidate of a register, the sorted elements of a set.
    public func value(of name: String, schema: Schema = .planSync) -> FieldValue? {
        guard let entries = fields[name], !entries.isEmpty else { return nil }
        if schema.collection(collection)?.field(name)?.rule == .addWinsSet {
            return .list(Set(entries.map(\.value)).sorted())
        }
        // One candidate (nearly always) needs no ordering.
        return .text(entries.count == 1 ? entries[0].value : entries.latestFirst[0].value)
    }

    /// The distinct candidate values of a register field, latest first.
    public func distinctValues(of name: String) -> [String] {
        var seen = Set<String>()
        return (fields[name] ?? []).latestFirst.map(\.value).filter { seen.insert($0).inserted }
    }

    /// The candidates a person must choose between, latest first; empty when the field is not in conflict.
    /// Only `keepBoth` fields conflict: `lastWriterWins` picks a winner and sets merge.
    public func conflict(of name: String, schema: Schema = .planSync) -> [String] {
        // One candidate is never a conflict: asked of every field of every record stored, so answered cheaply.
        guard (fields[name]?.count ?? 0) > 1, schema.collection(collection)?.field(name)?.rule == .keepBoth else {
            return []
        }
        let values = distinctValues(of: name)
        return values.count > 1 ? values : []
    }

    /// The fields in conflict, in schema order.
    public func conflictedFields(schema: Schema = .planSync) -> [String] {
        guard let collection = schema.collection(collection) else { return [] }
        return collection.fields.map(\.name).filter { !conflict(of: $0, schema: schema).isEmpty }
    }

    /// The translations with concurrent candidates, as (language, field) pairs sorted by language then field.
    public func conflictedTranslations(schema: Schema = .planSync) -> [(language: String, field: String)] {
        translations.keys.sorted().flatMap { language in
            translations[language, default: [:]].sorted { $0.key < $1.key }.compactMap { field, entries in
                // One entry is never a conflict; only then is the view (staleness, candidates) worth building.
                entries.count > 1
                    && (translation(of: field, language: language, schema: schema)?.candidates.count ?? 0) > 1
                    ? (language, field) : nil
            }
        }
    }

    /// How many decisions this record waits on: fields in conflict, translations with concurrent candidates,
    /// and — for an office's held edit of an approved report — the pending accept or dismiss. `plansync
    /// conflicts` lists exactly these; a replica keeps the figure beside each stored record.
    public func openDecisions(schema: Schema = .planSync) -> Int {
        let held = collection == "held" && !isDeleted && HeldProposal(self, schema: schema).pending
        return conflictedFields(schema: schema).count + conflictedTranslations(schema: schema).count + (held ? 1 : 0)
    }

    /// The text translations of a field are made from: its provisional value (a list one element per line).
    public func sourceText(of name: String, schema: Schema = .planSync) -> String {
        value(of: name, schema: schema)?.text ?? ""
    }

    /// The translation a reader is shown, or nil when there is none worth showing — missing, blank, or marked
    /// `untranslated` (no translator's work) — and the English is shown in its place.
    public func readableTranslation(of name: String, language: String, schema: Schema = .planSync) -> TranslationView? {
        guard let view = translation(of: name, language: language, schema: schema), view.status != .untranslated,
            !view.text.allSatisfy(\.isWhitespace)
        else { return nil }
        return view
    }

    /// The provisional translation of a field into a language, with its staleness against the current source.
    public func translation(of name: String, language: String, schema: Schema = .planSync) -> TranslationView? {
        translation(of: name, language: language) { SourceHash.of(sourceText(of: name, schema: schema)) }
    }

    /// `translation(of:language:schema:)` with the `SourceHash` of the field's source text given, for callers
    /// that ask for a field's translations in several languages (or need the hash themselves): computed only
    /// when there is a translation.
    public func translation(of name: String, language: String, sourceHash: () -> String) -> TranslationView? {
        guard let entries = translations[language]?[name], !entries.isEmpty else { return nil }
        // Nearly every translation has one candidate: no ordering, and no set of texts (hashing a non-ASCII
        // text normalizes it, which dominated whole-replica exports).
        let ordered = entries.count == 1 ? entries : entries.shownFirst
        let candidates: [String]
        if ordered.count == 1 {
            candidates = [ordered[0].text]
        } else {
            var seen = Set<String>()
            candidates = ordered.map(\.text).filter { seen.insert($0).inserted }
        }
        return TranslationView(
            text: ordered[0].text, status: ordered[0].status, source: ordered[0].source,
            stale: ordered[0].source != sourceHash(), candidates: candidates)
    }

    /// The record's title for listings.
    public func title(schema: Schema = .planSync) -> String {
        guard let field = schema.collection(collection)?.titleField else { return "" }
        return sourceText(of: field, schema: schema)
    }

    /// The resolution recorded on the provisional candidate of a field, if the last write resolved a conflict.
    public func resolution(of name: String) -> Resolution? {
        fields[name]?.latestFirst.first?.resolution
    }
}

extension TranslationStatus {
    /// How far review has gone: among concurrent translations, the further reviewed is shown.
    var rank: Int {
        switch self {
        case .untranslated: 0
        case .draft: 1
        case .translated: 2
        case .approved: 3
        }
    }
}

extension Array where Element == TranslationCandidate {
    /// Concurrent translations in the order a reader is offered them: the further reviewed first (approved,
    /// translated, draft), then the latest. The first is shown, the same on every replica.
    public var shownFirst: [TranslationCandidate] {
        sorted { ($0.status.rank, $0.time) > ($1.status.rank, $1.time) }
    }
}
