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
        let units = TranslationUnit.all(in: records, plan: plan, schema: schema)
        var files: [File] = []
        for unit in units {
            let source = unit.source(schema: schema)
            let view = unit.record.translation(of: unit.field, language: language, schema: schema)
            let (state, approved) = XliffState.export(view)
            var notes = ["source-hash: \(SourceHash.of(source))"]
            if let view, view.stale { notes.append("stale: the English changed since this was translated") }
            if let view, view.candidates.count > 1 {
                notes.append("conflict: \(view.candidates.count) concurrent translations; the latest is the target")
            }
            let exported = Unit(
                id: unit.id, source: source, target: view.map(\.text) ?? source, state: state, approved: approved,
                notes: notes)
            if files.last?.original == unit.plan {
                files[files.count - 1].units.append(exported)
            } else {
                files.append(File(original: unit.plan, sourceLanguage: "en", targetLanguage: language, units: [exported]))
            }
        }
        return XliffDocument(files: files)
    }

    /// The document as XLIFF 1.2 XML.
    public var xml: String {
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">

            """
        for file in files {
            out += """
                  <file original="\(escape(file.original))" source-language="\(file.sourceLanguage)" \
                target-language="\(file.targetLanguage)" datatype="plaintext">
                    <body>

                """
            for unit in file.units {
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
            out += "    </body>\n  </file>\n"
        }
        return out + "</xliff>\n"
    }
}

/// Text as XML character data or attribute value. Characters XML 1.0 cannot carry (C0 controls other than
/// tab and line ends) become U+FFFD; `translations check` reports them in the source.
private func escape(_ text: String) -> String {
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
