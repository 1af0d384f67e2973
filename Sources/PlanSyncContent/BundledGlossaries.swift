import PlanSyncTranslation
import PlanSyncTranslations

/// The glossaries shipped with the product (`Translations/LANG/glossary.tsv`), read.
public enum BundledGlossaries {
    /// The agreed terms of `language`, or nil when the product ships none for it.
    public static func glossary(language: String) throws -> Glossary? {
        try BundledTranslations.glossary(language: language).map { try Glossary(tsv: $0, language: language) }
    }
}
