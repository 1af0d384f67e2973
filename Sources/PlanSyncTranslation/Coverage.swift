import PlanSyncCore

/// How far the translation of one plan into one language has come.
public struct Coverage: Codable, Sendable, Hashable {
    public var language: String
    public var plan: String
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

    /// Coverage per plan for each language (all three when `language` is nil), sorted by language then plan.
    public static func of(_ records: [RecordState], language: String? = nil, schema: Schema = .planSync) -> [Coverage] {
        let units = TranslationUnit.all(in: records, schema: schema)
        // Grouped once: scanning every unit for every plan grows with plans × units on a big replica.
        let byPlan = Dictionary(grouping: units, by: \.plan)
        return (language.map { [$0] } ?? Schema.languages).flatMap { language in
            byPlan.keys.sorted().map { plan in
                var coverage = Coverage(language: language, plan: plan)
                for unit in byPlan[plan] ?? [] {
                    coverage.units += 1
                    guard let view = unit.record.translation(of: unit.field, language: language, schema: schema),
                        view.status != .untranslated
                    else {
                        coverage.missing += 1
                        continue
                    }
                    switch view.status {
                    case .translated: coverage.translated += 1
                    case .approved:
                        coverage.translated += 1
                        coverage.approved += 1
                    case .draft: coverage.draft += 1
                    case .untranslated: break
                    }
                    if view.stale { coverage.stale += 1 }
                }
                return coverage
            }
        }
    }
}
