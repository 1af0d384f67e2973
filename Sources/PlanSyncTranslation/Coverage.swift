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
        summing(
            records.lazy.map { (plan: RecordID.plan(of: $0.id), tallies: $0.translationTallies(schema: schema)) },
            language: language)
    }

    /// Coverage per plan from each record's plan and tallies (`RecordState.translationTallies`, which a
    /// replica keeps beside every record), summed per plan; plans with no unit are left out.
    public static func summing(
        _ records: some Sequence<(plan: String, tallies: [String: TranslationTally])>, language: String? = nil
    ) -> [Coverage] {
        var byPlan: [String: [String: TranslationTally]] = [:]
        for (plan, tallies) in records where !tallies.isEmpty {
            byPlan[plan, default: [:]].merge(tallies, uniquingKeysWith: +)
        }
        let plans = byPlan.keys.sorted()
        return (language.map { [$0] } ?? Schema.languages).flatMap { language in
            plans.map { Coverage(language: language, plan: $0, byPlan[$0]?[language] ?? TranslationTally()) }
        }
    }

    init(language: String, plan: String, _ tally: TranslationTally) {
        self.language = language
        self.plan = plan
        (units, translated, approved) = (tally.units, tally.translated, tally.approved)
        (draft, stale, missing) = (tally.draft, tally.stale, tally.missing)
    }
}
