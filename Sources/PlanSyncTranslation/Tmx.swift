import PlanSyncCore

/// A translation memory in TMX 1.4b, what OmegaT, Trados and memoQ load: one `<tu>` per unit whose translation
/// a translator can reuse — translated or approved, made from the English the unit holds now (a stale one was
/// made from other English, which the replica no longer has, so it would teach the memory a wrong pair).
///
/// Written record by record like `XliffWriter`: `append` each record's units, `take()` the text so far when
/// convenient, `finish()` after the last.
public struct TmxWriter: Sendable {
    private var out: String
    private let language: String
    /// Units written so far.
    public private(set) var units = 0

    /// A memory from English into `language`, made by `tool` (its name and version, for the header).
    public init(language: String, tool: (name: String, version: String)) {
        self.language = language
        out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <tmx version="1.4">
              <header creationtool="\(escape(tool.name))" creationtoolversion="\(escape(tool.version))" \
            datatype="plaintext" segtype="paragraph" adminlang="en" srclang="en" o-tmf="PlanSync"/>
              <body>

            """
    }

    /// How many bytes are written and not yet taken.
    public var pending: Int { out.utf8.count }

    public mutating func take() -> String {
        defer { out = "" }
        return out
    }

    public mutating func finish() -> String {
        out += "  </body>\n</tmx>\n"
        return take()
    }

    /// The units of `record` a memory should hold, in schema field order.
    public static func entries(of record: RecordState, language: String, schema: Schema = .planSync) -> [Entry] {
        guard !record.isDeleted else { return [] }
        return record.translationUnitFields(schema: schema).compactMap { field in
            let source = record.sourceText(of: field, schema: schema)
            let hash = SourceHash.of(source)
            guard let view = record.translation(of: field, language: language, sourceHash: { hash }),
                !view.stale, view.status == .translated || view.status == .approved,
                !source.isEmpty, !view.text.isEmpty
            else { return nil }
            let written = record.translations[language]?[field]?.shownFirst.first?.time.wall ?? 0
            return Entry(
                id: TranslationUnit.id(record: record.id, field: field), source: source, target: view.text,
                status: view.status, changed: written)
        }
    }

    public struct Entry: Sendable, Hashable {
        public var id: String
        public var source: String
        public var target: String
        public var status: TranslationStatus
        /// When the translation was written, in milliseconds since 1970.
        public var changed: UInt64
    }

    public mutating func append(_ entries: [Entry]) {
        for entry in entries {
            units += 1
            out += "    <tu tuid=\"\(escape(entry.id))\" changedate=\"\(Self.date(entry.changed))\">\n"
            out += "      <prop type=\"x-plansync-status\">\(entry.status.rawValue)</prop>\n"
            out += "      <tuv xml:lang=\"en\"><seg>\(escape(entry.source))</seg></tuv>\n"
            out += "      <tuv xml:lang=\"\(escape(language))\"><seg>\(escape(entry.target))</seg></tuv>\n"
            out += "    </tu>\n"
        }
    }

    /// TMX's date form, `YYYYMMDDThhmmssZ` in UTC.
    static func date(_ milliseconds: UInt64) -> String {
        String(ReadableDate.iso(milliseconds: milliseconds).filter { $0 != "-" && $0 != ":" })
    }
}
