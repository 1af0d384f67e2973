import PlanSyncCore

/// What importing an XLIFF file would change: ordinary translation edits, computed without touching anything.
///
/// Units are matched by id. A unit is an edit only when the translator did something: its target differs
/// from what PlanSync exported for it, or its approval changed. The `state` attribute alone is not trusted,
/// because CAT tools often leave it as exported. A target made from a `<source>` that is no longer the current
/// English comes in stale.
public struct XliffImport: Sendable {
    public struct Change: Sendable, Hashable {
        public var record: String
        public var edit: Edit
        /// The unit's `<source>` is not the current English.
        public var stale: Bool
    }

    public var language: String
    public var changes: [Change]
    /// Units that are not edits (untouched, empty, or identical to what is stored).
    public var unchanged: Int

    /// Plans the import of `document` against `records`. Refuses the whole file — a foreign file, a unit of
    /// an unknown record or of a field that is not translatable — before anything is applied.
    public static func plan(
        _ document: XliffDocument, records: [String: RecordState], schema: Schema = .planSync
    ) throws(XliffError) -> XliffImport {
        guard let language = document.targetLanguage else { throw XliffError("the file has no <file> element") }
        guard Schema.languages.contains(language) else {
            throw XliffError(
                "target language '\(language)' is not one of \(Schema.languages.joined(separator: ", "))")
        }
        var plan = XliffImport(language: language, changes: [], unchanged: 0)
        for file in document.files {
            guard file.targetLanguage == language else {
                throw XliffError("the file mixes target languages (\(language), \(file.targetLanguage))")
            }
            for unit in file.units {
                guard let (id, field) = TranslationUnit.parse(unit.id) else {
                    throw XliffError("unit '\(unit.id)' is not a PlanSync unit (expected RECORD#FIELD)")
                }
                guard let record = records[id] else {
                    throw XliffError("unit '\(unit.id)': no record '\(id)' in this replica")
                }
                guard schema.collection(record.collection)?.field(field)?.translatable == true else {
                    throw XliffError("unit '\(unit.id)': '\(field)' is not a translatable field of \(record.collection)")
                }
                if let change = change(for: unit, record: record, field: field, language: language, schema: schema) {
                    plan.changes.append(change)
                } else {
                    plan.unchanged += 1
                }
            }
        }
        return plan
    }

    private static func change(
        for unit: XliffDocument.Unit, record: RecordState, field: String, language: String, schema: Schema
    ) -> Change? {
        guard let target = unit.target, !target.allSatisfy(\.isWhitespace) else { return nil }
        let current = record.translation(of: field, language: language, schema: schema)
        let english = record.sourceText(of: field, schema: schema)
        // What PlanSync exported for this unit: the translation, or for an untranslated unit a copy of the source.
        let exportedText = current?.text ?? unit.source
        let textChanged = target != exportedText
        let approved = unit.approved || unit.state == "final" || unit.state == "signed-off"
        let status: TranslationStatus
        if approved {
            status = .approved
        } else if unit.state == "translated" {
            status = .translated
        } else if textChanged {
            status = unit.state == "new" ? .draft : .translated
        } else {
            return nil
        }
        if let current, current.text == target, current.status == status,
            current.source == SourceHash.of(unit.source)
        {
            return nil
        }
        return Change(
            record: record.id,
            edit: .translate(
                field: field, language: language, text: target, status: status,
                basedOn: unit.source == english ? nil : unit.source),
            stale: unit.source != english)
    }
}
