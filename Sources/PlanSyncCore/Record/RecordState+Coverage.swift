/// How far one record's (or a plan's) translation into one language has come: its translation units and
/// what became of each. `translations status` sums these per plan; a replica keeps each record's beside it.
public struct TranslationTally: Hashable, Sendable {
    /// Translatable fields with English to translate.
    public var units = 0
    /// Units translated (status translated or approved), whether or not stale.
    public var translated = 0
    /// Units approved by a reviewer (a subset of `translated`).
    public var approved = 0
    /// Units with a draft translation.
    public var draft = 0
    /// Units whose translation was made from English that has since changed (any status).
    public var stale = 0
    /// Units with no translation.
    public var missing = 0

    public init(
        units: Int = 0, translated: Int = 0, approved: Int = 0, draft: Int = 0, stale: Int = 0, missing: Int = 0
    ) {
        (self.units, self.translated, self.approved) = (units, translated, approved)
        (self.draft, self.stale, self.missing) = (draft, stale, missing)
    }

    public static func + (lhs: TranslationTally, rhs: TranslationTally) -> TranslationTally {
        TranslationTally(
            units: lhs.units + rhs.units, translated: lhs.translated + rhs.translated,
            approved: lhs.approved + rhs.approved, draft: lhs.draft + rhs.draft, stale: lhs.stale + rhs.stale,
            missing: lhs.missing + rhs.missing)
    }

    /// Counts one unit whose provisional translation is `view` (nil when there is none).
    mutating func count(_ status: TranslationStatus?, stale isStale: Bool) {
        units += 1
        guard let status, status != .untranslated else {
            missing += 1
            return
        }
        switch status {
        case .translated: translated += 1
        case .approved:
            translated += 1
            approved += 1
        case .draft: draft += 1
        case .untranslated: break
        }
        if isStale { stale += 1 }
    }
}

extension RecordState {
    /// The record's translation units: its translatable fields with English to translate, in schema order.
    /// None for a deleted record or one of a collection the schema does not know.
    public func translationUnitFields(schema: Schema = .planSync) -> [String] {
        translationUnits(schema: schema).map(\.field)
    }

    /// The translation units with their English, each read once.
    private func translationUnits(schema: Schema) -> [(field: String, source: String)] {
        guard !isDeleted, let collection = schema.collection(collection) else { return [] }
        return collection.fields.compactMap { field in
            guard field.translatable else { return nil }
            let source = sourceText(of: field.name, schema: schema)
            return source.isEmpty ? nil : (field.name, source)
        }
    }

    /// The record's tally in each of `Schema.languages`, or an empty dictionary when it has no units. The
    /// same counts as adding up `translation(of:language:)` unit by unit, with each source hashed once.
    public func translationTallies(schema: Schema = .planSync) -> [String: TranslationTally] {
        let units = translationUnits(schema: schema)
        guard !units.isEmpty else { return [:] }
        var tallies = Dictionary(uniqueKeysWithValues: Schema.languages.map { ($0, TranslationTally()) })
        for (field, text) in units {
            let source = SourceHash.of(text)
            for language in Schema.languages {
                guard let entries = translations[language]?[field], !entries.isEmpty else {
                    tallies[language]!.count(nil, stale: false)
                    continue
                }
                let shown = entries.count == 1 ? entries[0] : entries.shownFirst[0]
                tallies[language]!.count(shown.status, stale: shown.source != source)
            }
        }
        return tallies
    }
}
