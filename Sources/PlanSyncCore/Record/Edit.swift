/// A local change to one record, as a person asks for it.
public enum Edit: Hashable, Sendable {
    /// Writes a field. For a list field the value is the whole list, one element per line: elements not in it
    /// are removed, new ones added.
    case set(field: String, value: String)
    /// Adds one element to a list field.
    case add(field: String, element: String)
    /// Removes one element from a list field.
    case remove(field: String, element: String)
    /// Writes a value that supersedes every candidate of a field, and records the resolution.
    case resolve(field: String, value: String)
    /// Writes the translation of a field into a language. `basedOn` is the English it was made from when that
    /// is not the current English (an XLIFF target made from an older source comes in stale); nil means the
    /// current English.
    case translate(field: String, language: String, text: String, status: TranslationStatus, basedOn: String? = nil)
    /// Writes a translation that supersedes every candidate translation of the field into that language, and
    /// records the resolution: how a translator settles concurrent translations of their language.
    case resolveTranslation(field: String, language: String, text: String, status: TranslationStatus)
    /// Deletes the record (a tombstone; its fields are kept so a concurrent edit can bring it back, until every
    /// replica has pulled the delete and the server compacts them away: `Compaction`).
    case delete

    /// What the edit writes, for access checks.
    public var target: WriteTarget {
        switch self {
        case .set(let field, _), .add(let field, _), .remove(let field, _), .resolve(let field, _):
            .field(field)
        case .translate(let field, let language, _, _, _), .resolveTranslation(let field, let language, _, _):
            .translation(field: field, language: language)
        case .delete:
            .lifecycle
        }
    }
}

/// Who is writing, and when: the replica's id, a fresh tick of its hybrid clock, and the name the server
/// knows its token by (recorded on resolutions).
public struct Writer: Hashable, Sendable {
    public var time: HybridTimestamp
    public var author: String

    public init(time: HybridTimestamp, author: String) {
        self.time = time
        self.author = author
    }

    public var replica: ReplicaID { time.replica }
}

/// Why an edit or a received record was refused. The message names the record, the field and the problem.
public struct RecordError: Error, Hashable, Sendable, CustomStringConvertible {
    public let record: String
    public let message: String
    /// What the schema does not know, when that is what is wrong: `the field 'location' of 'activity'`, or
    /// `the collection 'contact'`. A newer build's schema may know it (README, "Upgrading offices gradually").
    public let unknown: String?

    public init(record: String, _ message: String, unknown: String? = nil) {
        self.record = record
        self.message = message
        self.unknown = unknown
    }

    /// A record of a collection the schema does not know.
    static func unknownCollection(_ collection: String, record: String) -> RecordError {
        RecordError(
            record: record, "unknown collection '\(collection)'", unknown: "the collection '\(collection)'")
    }

    public var description: String { "\(record): \(message)" }
}

extension RecordState {
    /// Applies a local edit: every write mints a new dot of `writer.replica` and supersedes the entries of that
    /// field (or translation, or tombstones) this copy holds — it was made knowing them.
    public mutating func apply(_ edit: Edit, schema: Schema, by writer: Writer) throws(RecordError) {
        guard let collectionSchema = schema.collection(collection) else {
            throw RecordError.unknownCollection(collection, record: id)
        }
        switch edit {
        case .set(let name, let value):
            let field = try collectionSchema.require(name, record: id)
            if field.kind == .list {
                let elements = value.split(whereSeparator: \.isNewline).map { $0.trimmed }.filter { !$0.isEmpty }
                try replaceList(field, with: elements, by: writer)
            } else {
                try field.validate(value, record: id)
                writeRegister(field.name, value: value, resolution: nil, by: writer)
            }
        case .resolve(let name, let value):
            let field = try collectionSchema.require(name, record: id)
            guard field.kind != .list else {
                throw RecordError(record: id, "field '\(name)' is a list; lists never conflict")
            }
            try field.validate(value, record: id)
            let superseded = distinctValues(of: name)
            let resolution = Resolution(by: writer.author, at: writer.time.wall, superseded: superseded)
            writeRegister(name, value: value, resolution: resolution, by: writer)
        case .add(let name, let element):
            let field = try collectionSchema.requireList(name, record: id)
            try field.validate(element, record: id)
            addElement(field.name, element.trimmed, by: writer)
        case .remove(let name, let element):
            let field = try collectionSchema.requireList(name, record: id)
            guard fields[field.name, default: []].contains(where: { $0.value == element.trimmed }) else {
                throw RecordError(record: id, "'\(element)' is not in \(name)")
            }
            removeElement(field.name, element.trimmed, by: writer)
        case .translate(let name, let language, let text, let status, let basedOn):
            try writeTranslation(
                name, language: language, text: text, status: status, basedOn: basedOn, resolution: nil,
                schema: schema, by: writer)
        case .resolveTranslation(let name, let language, let text, let status):
            var seen = Set<String>()
            let superseded = (translations[language]?[name] ?? []).shownFirst.map(\.text)
                .filter { seen.insert($0).inserted }
            let resolution = Resolution(by: writer.author, at: writer.time.wall, superseded: superseded)
            try writeTranslation(
                name, language: language, text: text, status: status, basedOn: nil, resolution: resolution,
                schema: schema, by: writer)
        case .delete:
            let seen = context
            let dot = context.advance(writer.replica)
            tombstones = [Tombstone(dot: dot, time: writer.time, seen: seen)]
        }
    }

    private mutating func writeTranslation(
        _ name: String, language: String, text: String, status: TranslationStatus, basedOn: String?,
        resolution: Resolution?, schema: Schema, by writer: Writer
    ) throws(RecordError) {
        guard let collectionSchema = schema.collection(collection) else {
            throw RecordError.unknownCollection(collection, record: id)
        }
        let field = try collectionSchema.require(name, record: id)
        guard field.translatable else {
            throw RecordError(record: id, "field '\(name)' is not translatable")
        }
        let languages = schema.translationLanguages(of: self)
        guard languages.contains(language) else {
            let why =
                language == "en"
                ? "cannot translate into 'en': it is written in English" : "unknown language '\(language)'"
            throw RecordError(record: id, "\(why) (expected \(languages.joined(separator: ", ")))")
        }
        try FieldSchema.validateText(text, record: id, field: name)
        let dot = context.advance(writer.replica)
        let candidate = TranslationCandidate(
            dot: dot, time: writer.time, text: text, status: status,
            source: SourceHash.of(basedOn ?? sourceText(of: name, schema: schema)), resolution: resolution)
        translations[language, default: [:]][name] = [candidate]
    }

    private mutating func writeRegister(_ name: String, value: String, resolution: Resolution?, by writer: Writer) {
        let dot = context.advance(writer.replica)
        fields[name] = [FieldCandidate(dot: dot, time: writer.time, value: value, resolution: resolution)]
    }

    private mutating func addElement(_ name: String, _ element: String, by writer: Writer) {
        let dot = context.advance(writer.replica)
        var entries = fields[name, default: []].filter { $0.value != element }
        entries.append(FieldCandidate(dot: dot, time: writer.time, value: element))
        fields[name] = entries.sorted { $0.dot < $1.dot }
    }

    /// A removal drops the element's dots (which stay in the context) and mints a dot of its own, so the
    /// record's context moves and every peer sees that the record changed.
    private mutating func removeElement(_ name: String, _ element: String, by writer: Writer) {
        _ = context.advance(writer.replica)
        let entries = fields[name, default: []].filter { $0.value != element }
        fields[name] = entries.isEmpty ? nil : entries
    }

    private mutating func replaceList(_ field: FieldSchema, with elements: [String], by writer: Writer) throws(RecordError) {
        for element in elements { try field.validate(element, record: id) }
        let wanted = Set(elements)
        let present = Set(fields[field.name, default: []].map(\.value))
        for element in present.subtracting(wanted).sorted() { removeElement(field.name, element, by: writer) }
        for element in elements where !present.contains(element) { addElement(field.name, element, by: writer) }
    }
}

extension CollectionSchema {
    func require(_ name: String, record: String) throws(RecordError) -> FieldSchema {
        guard let field = field(name) else {
            throw RecordError(
                record: record,
                "unknown field '\(name)' in \(self.name) (fields: \(fields.map(\.name).joined(separator: ", ")))",
                unknown: "the field '\(name)' of '\(self.name)'")
        }
        return field
    }

    func requireList(_ name: String, record: String) throws(RecordError) -> FieldSchema {
        let field = try require(name, record: record)
        guard field.kind == .list else { throw RecordError(record: record, "field '\(name)' is not a list") }
        return field
    }
}

extension StringProtocol {
    var trimmed: String { String(self).trimmingWhitespace() }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
