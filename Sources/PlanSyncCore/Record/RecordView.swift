/// One record as a person reads it, in English or in one of the translation languages: what `plansync show`
/// prints, as text or JSON.
public struct RecordView: Encodable, Sendable {
    public struct Field: Encodable, Sendable {
        public var name: String
        public var translatable: Bool
        /// The English (source) value.
        public var value: FieldValue
        /// Concurrent candidates, latest first, when the field is in conflict.
        public var candidates: [String]?
        /// The last write's resolution, if it settled a conflict.
        public var resolution: ResolutionView?
        /// The translation into the requested language, when one exists.
        public var translation: Translation?
    }

    /// A resolution as `show` prints it: when, as ISO 8601 text rather than the milliseconds stored and sent.
    public struct ResolutionView: Encodable, Sendable {
        public var by: String
        public var at: String
        public var superseded: [String]

        init(_ resolution: Resolution) {
            (by, at, superseded) = (resolution.by, ReadableDate.iso(milliseconds: resolution.at), resolution.superseded)
        }
    }

    public struct Translation: Encodable, Sendable {
        public var text: String
        public var status: TranslationStatus
        public var stale: Bool
        public var candidates: [String]?
    }

    public var id: String
    public var collection: String
    public var deleted: Bool
    /// The language shown: `en`, or the one asked for.
    public var language: String
    /// `rtl` for Arabic, else `ltr`.
    public var direction: String
    public var fields: [Field]

    public init(_ record: RecordState, language: String? = nil, schema: Schema = .planSync) {
        id = record.id
        collection = record.collection
        deleted = record.isDeleted
        self.language = language ?? "en"
        direction = language == "ar" ? "rtl" : "ltr"
        let names = schema.collection(record.collection)?.fields.map(\.name) ?? record.fields.keys.sorted()
        fields = names.compactMap { name in
            guard let value = record.value(of: name, schema: schema) else { return nil }
            let conflict = record.conflict(of: name, schema: schema)
            let translation = language.flatMap { record.translation(of: name, language: $0, schema: schema) }
            return Field(
                name: name, translatable: schema.collection(record.collection)?.field(name)?.translatable == true,
                value: value, candidates: conflict.isEmpty ? nil : conflict,
                resolution: record.resolution(of: name).map(ResolutionView.init),
                translation: translation.map {
                    Translation(
                        text: $0.text, status: $0.status, stale: $0.stale,
                        candidates: $0.candidates.count > 1 ? $0.candidates : nil)
                })
        }
    }

    /// The record as text for a terminal: one field per block, the translation in place of the English when
    /// asked for, with its markers. Arabic runs are wrapped in Unicode isolates so a terminal keeps the
    /// label on the left.
    public var text: String {
        var lines = ["\(id)  (\(collection)\(deleted ? ", deleted" : ""))"]
        for field in fields {
            var text = field.value.text
            var markers: [String] = []
            if language != "en" {
                if let translation = field.translation {
                    text = translation.text
                    if translation.status != .translated { markers.append(translation.status.rawValue) }
                    if translation.stale { markers.append("stale: the English changed") }
                    if let candidates = translation.candidates { markers.append("\(candidates.count) candidates") }
                } else if field.translatable {
                    markers.append("untranslated: English shown")
                }
            }
            if direction == "rtl", field.translation != nil { text = "\u{2067}" + text + "\u{2069}" }
            // A stored timestamp (`reported_at`) reads as a date; `--json` keeps the stored text.
            if field.translation == nil, let date = ReadableDate.text(iso: text) { text = date }
            let suffix = markers.isEmpty ? "" : "  [\(markers.joined(separator: "; "))]"
            let body = text.indentingLines(by: 4)
            lines.append("\(field.name):\(suffix)\n    \(body)")
            if let candidates = field.candidates {
                lines.append("    conflict: \(candidates.count) candidates (resolve with 'plansync resolve'):")
                lines += candidates.map { "      - " + $0.indentingLines(by: 8) }
            }
            if let resolution = field.resolution {
                lines.append(
                    "    resolved by \(resolution.by) on \(ReadableDate.text(iso: resolution.at) ?? resolution.at), "
                        + "superseding \(resolution.superseded.count) candidate(s)")
            }
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    /// Continuation lines indented, so a multi-line value stays under its label.
    func indentingLines(by count: Int) -> String {
        split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n" + String(repeating: " ", count: count))
    }
}
