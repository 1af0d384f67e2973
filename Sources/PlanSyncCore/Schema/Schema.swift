/// How concurrent writes to one field are reconciled.
public enum ConflictRule: String, Hashable, Sendable, Codable {
    /// Free text: concurrent values are all kept as candidates until someone resolves them; the latest (by
    /// hybrid timestamp, then replica id) is shown provisionally.
    case keepBoth
    /// Status and dates: the latest write by hybrid timestamp wins, ties broken by replica id; no conflict.
    case lastWriterWins
    /// Lists: each element carries the dots that added it; an add concurrent with a remove survives.
    case addWinsSet
}

/// What a field holds, and so which values it accepts.
public enum FieldKind: Hashable, Sendable {
    /// Any text, one line or many.
    case text
    /// One of a fixed list of values.
    case choice([String])
    /// A calendar date, `YYYY-MM-DD`.
    case date
    /// A whole number.
    case integer
    /// The id of another record.
    case reference
    /// A set of one-line strings.
    case list
    /// A reporting period: `2017`, `2017-Q1` or `2017-03`.
    case period
    /// A field office's code: letters, digits, `-` and `_`, e.g. `AFG` or `IRQ-ERBIL`.
    case office

    public var name: String {
        switch self {
        case .text: "text"
        case .choice: "choice"
        case .date: "date"
        case .integer: "integer"
        case .reference: "reference"
        case .list: "list"
        case .period: "period"
        case .office: "office"
        }
    }
}

/// Who, besides the central team, may write a field.
public enum FieldAudience: Hashable, Sendable {
    /// The plan itself: written by the central team (`admin`) only.
    case central
    /// Progress on the plan: also written by field offices.
    case progress
    /// A field office's own records (reports): written by that office and the central team.
    case office
}

/// Who receives a collection's records.
public enum CollectionScope: Hashable, Sendable {
    /// Every replica.
    case shared
    /// The central team, viewers, and the one office named in the record's `office` field. Translators do not
    /// receive them.
    case office
}

/// One field of a collection, declared once: its kind, its conflict rule, whether it is translated, and who
/// may write it.
public struct FieldSchema: Hashable, Sendable {
    public let name: String
    public let kind: FieldKind
    public let rule: ConflictRule
    public let translatable: Bool
    public let audience: FieldAudience

    public init(
        _ name: String, _ kind: FieldKind, rule: ConflictRule, translatable: Bool = false,
        audience: FieldAudience = .central
    ) {
        precondition(
            (kind == .list) == (rule == .addWinsSet), "field \(name): list fields, and only they, are add-wins sets")
        self.name = name
        self.kind = kind
        self.rule = rule
        self.translatable = translatable
        self.audience = audience
    }
}

/// A kind of record, with its fields in display order.
public struct CollectionSchema: Hashable, Sendable {
    public let name: String
    /// The field `list` shows as the record's title.
    public let titleField: String
    public let fields: [FieldSchema]
    public let scope: CollectionScope
    /// The field naming the language a record's text is written in (a report's narrative), or nil: English.
    public let sourceLanguageField: String?
    private let index: [String: Int]

    public init(
        _ name: String, titleField: String, scope: CollectionScope = .shared, sourceLanguageField: String? = nil,
        fields: [FieldSchema]
    ) {
        self.name = name
        self.titleField = titleField
        self.scope = scope
        self.sourceLanguageField = sourceLanguageField
        self.fields = fields
        self.index = Dictionary(uniqueKeysWithValues: fields.enumerated().map { ($1.name, $0) })
        precondition(index[titleField] != nil, "collection \(name): no title field \(titleField)")
        precondition(scope == .shared || index["office"] != nil, "collection \(name): office-scoped without 'office'")
    }

    public func field(_ name: String) -> FieldSchema? {
        index[name].map { fields[$0] }
    }

    /// The field that decides who receives a record (`office` for an office-scoped collection), or nil.
    public var scopeField: String? {
        scope == .office ? "office" : nil
    }
}

/// The collections a PlanSync store holds. Declared as data in one place (`Schema.planSync`).
public struct Schema: Sendable {
    public let collections: [CollectionSchema]
    private let index: [String: Int]

    public init(_ collections: [CollectionSchema]) {
        self.collections = collections
        self.index = Dictionary(uniqueKeysWithValues: collections.enumerated().map { ($1.name, $0) })
    }

    public func collection(_ name: String) -> CollectionSchema? {
        index[name].map { collections[$0] }
    }

    /// The languages translations are kept in. The source language of every field is English, except where a
    /// collection names its records' language (`sourceLanguageField`): those may be translated into English too.
    public static let languages = ["ar", "fr", "es"]

    /// The language a record's text is written in: its `sourceLanguageField`'s value, else English.
    public func sourceLanguage(of record: RecordState) -> String {
        guard let field = collection(record.collection)?.sourceLanguageField,
            let language = record.value(of: field, schema: self)?.text, !language.isEmpty
        else { return "en" }
        return language
    }

    /// The languages a translation of `record` may be written in: `languages`, and English when the record is
    /// written in another language.
    public func translationLanguages(of record: RecordState) -> [String] {
        sourceLanguage(of: record) == "en" ? Self.languages : ["en"] + Self.languages
    }

    /// Every language a stored translation may be in. Received records are checked against this, not against
    /// `translationLanguages(of:)`: a concurrent change of a report's language must not make it unreadable.
    public static let storedLanguages = ["en"] + languages
}
