import PlanSyncCore

extension XliffDocument {
    /// The XLIFF 1.2 export of every unit of `records` into `language` (one `<file>` per plan).
    ///
    /// A unit's target is its provisional translation, or — untranslated — a copy of the English with
    /// `state="needs-translation"`, since CAT tools translate the target in place. A stale translation keeps
    /// its text and is marked `needs-review-translation`; an approved one carries `approved="yes"`. A note
    /// records the hash of the English the unit was exported with.
    public static func export(
        _ records: [RecordState], language: String, plan: String? = nil, schema: Schema = .planSync
    ) -> XliffDocument {
        var files: [File] = []
        for record in records.sorted(by: { $0.id < $1.id }) {
            guard plan == nil || RecordID.plan(of: record.id) == plan else { continue }
            let original = RecordID.plan(of: record.id)
            for exported in exportedUnits(of: record, language: language, schema: schema) {
                if files.last?.original == original {
                    files[files.count - 1].units.append(exported)
                } else {
                    files.append(
                        File(original: original, sourceLanguage: "en", targetLanguage: language, units: [exported]))
                }
            }
        }
        return XliffDocument(files: files)
    }

    /// The exported units of one record (`TranslationUnit.all`'s of it), in schema field order.
    public static func exportedUnits(of record: RecordState, language: String, schema: Schema = .planSync) -> [Unit] {
        record.translationUnitFields(schema: schema).map { field in
            let source = record.sourceText(of: field, schema: schema)
            let hash = SourceHash.of(source)
            let view = record.translation(of: field, language: language) { hash }
            let (state, approved) = XliffState.export(view)
            var notes = ["source-hash: \(hash)"]
            if let view, view.stale { notes.append("stale: the English changed since this was translated") }
            if let view, view.candidates.count > 1 {
                notes.append("conflict: \(view.candidates.count) concurrent translations; the latest is the target")
            }
            return Unit(
                id: TranslationUnit.id(record: record.id, field: field), source: source,
                target: view.map(\.text) ?? source, state: state, approved: approved, notes: notes)
        }
    }

    /// The document as XLIFF 1.2 XML.
    public var xml: String {
        var writer = XliffWriter()
        for file in files {
            writer.open(plan: file.original, sourceLanguage: file.sourceLanguage, targetLanguage: file.targetLanguage)
            for unit in file.units { writer.write(unit) }
        }
        return writer.finish()
    }
}

/// XLIFF 1.2 XML written record by record, so that an export of a big replica can go to its file in chunks:
/// `append` each record's units in document order (a new `<file>` starts whenever the plan changes), `take()`
/// the text written so far whenever convenient, and `finish()` after the last.
public struct XliffWriter: Sendable {
    private var out = """
        <?xml version="1.0" encoding="UTF-8"?>
        <xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">

        """
    /// The plan of the `<file>` open now.
    private var plan: String?
    /// Units and `<file>` elements written so far.
    public private(set) var units = 0
    public private(set) var files = 0

    public init() {}

    /// How many bytes are written and not yet taken.
    public var pending: Int { out.utf8.count }

    public mutating func take() -> String {
        defer { out = "" }
        return out
    }

    /// The rest of the text, ending the document.
    public mutating func finish() -> String {
        close()
        out += "</xliff>\n"
        return take()
    }

    /// Ends the `<file>` open now, if any, and starts one for `plan`.
    public mutating func open(plan: String, sourceLanguage: String, targetLanguage: String) {
        close()
        self.plan = plan
        files += 1
        out += """
              <file original="\(escape(plan))" source-language="\(sourceLanguage)" \
            target-language="\(targetLanguage)" datatype="plaintext">
                <body>

            """
    }

    /// Units of `plan` written apart (`xml(of:)`), in the `<file>` open now when it is that plan's, else in
    /// a new one; nothing when there are none.
    public mutating func append(xml: String, units count: Int, plan: String, targetLanguage: String) {
        guard count > 0 else { return }
        if self.plan != plan { open(plan: plan, sourceLanguage: "en", targetLanguage: targetLanguage) }
        units += count
        out += xml
    }

    /// One unit, in the `<file>` open now.
    public mutating func write(_ unit: XliffDocument.Unit) {
        units += 1
        Self.write(unit, to: &out)
    }

    /// The `<trans-unit>` elements of `units`, to be placed with `append(xml:units:plan:targetLanguage:)`: the
    /// units of many records can so be written on several threads at once.
    public static func xml(of units: [XliffDocument.Unit]) -> String {
        var out = ""
        for unit in units { write(unit, to: &out) }
        return out
    }

    private static func write(_ unit: XliffDocument.Unit, to out: inout String) {
        out += "      <trans-unit id=\"\(escape(unit.id))\"\(unit.approved ? " approved=\"yes\"" : "")"
        out += " xml:space=\"preserve\">\n"
        out += "        <source>\(escape(unit.source))</source>\n"
        if let target = unit.target {
            let state = unit.state.map { " state=\"\(escape($0))\"" } ?? ""
            out += "        <target\(state)>\(escape(target))</target>\n"
        }
        for note in unit.notes { out += "        <note from=\"plansync\">\(escape(note))</note>\n" }
        out += "      </trans-unit>\n"
    }

    private mutating func close() {
        guard plan != nil else { return }
        out += "    </body>\n  </file>\n"
        plan = nil
    }
}

/// Text as XML character data or attribute value. Characters XML 1.0 cannot carry (C0 controls other than
/// tab and line ends) become U+FFFD; `translations check` reports them in the source.
func escape(_ text: String) -> String {
    // Most texts have nothing to escape: only ASCII controls and `&<>"` do, and U+FFFE/U+FFFF (EF BF BE/BF).
    let plain = text.utf8.allSatisfy { byte in
        guard byte >= 0x20 else { return byte == 0x09 || byte == 0x0A }
        return byte != 0x26 && byte != 0x3C && byte != 0x3E && byte != 0x22 && byte != 0xEF
    }
    if plain { return text }
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "\r": out += "&#13;"
        case "\t", "\n": out.unicodeScalars.append(scalar)
        case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF:
            out += "\u{FFFD}"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out
}
