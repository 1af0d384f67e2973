import PlanSyncCore

/// Text from a record in the page's language: its translation when there is one worth reading, else the
/// English, marked so an Arabic page isolates it (`<bdi lang="en">`).
struct LocalText: Sendable {
    let text: String
    let lang: String
    /// No translation into the page's language: the English is shown.
    let fallback: Bool
    /// The translation was made from English that has changed since.
    let stale: Bool

    init(_ record: RecordState, _ field: String, language: String, schema: Schema) {
        let english = record.sourceText(of: field, schema: schema)
        if language != "en", schema.collection(record.collection)?.field(field)?.translatable == true,
            let translation = record.readableTranslation(of: field, language: language, schema: schema)
        {
            (text, lang, fallback, stale) = (translation.text, language, false, translation.stale)
        } else {
            (text, lang, fallback, stale) = (english, "en", language != "en", false)
        }
    }

    /// Text that is not translated (an id, a code, a value as written).
    init(plain text: String, language: String = "en") {
        (self.text, lang, fallback, stale) = (text, language, false, false)
    }
}
