/// The canonical, replica-independent form of a set of records, printed by `plansync dump --json`.
///
/// Two replicas that have seen the same writes print byte-identical dumps: keys are sorted, records are sorted
/// by id, and nothing replica-local (replica ids, clocks, cursors) appears.
public struct CanonicalDump: Encodable, Sendable {
    public struct Record: Encodable, Sendable {
        public var id: String
        public var collection: String
        public var deleted: Bool
        public var fields: [String: FieldValue]
        public var conflicts: [String: [String]]
        public var translations: [String: [String: Translation]]
    }

    public struct Translation: Encodable, Sendable {
        public var text: String
        public var status: String
        public var stale: Bool
    }

    public var records: [Record]

    public init(_ states: some Sequence<RecordState>, schema: Schema = .planSync) {
        records = states.sorted { $0.id < $1.id }.map { Record($0, schema: schema) }
    }

    /// The dump as JSON text: sorted keys, two-space indentation, slashes unescaped, a final newline — the
    /// text `WireJSON.pretty` gives of the dump, written by `CanonicalDump.Writer`.
    public func json() throws -> String {
        var writer = Writer()
        for record in records { writer.append(record) }
        return String(decoding: writer.finish(), as: UTF8.self)
    }
}

extension CanonicalDump.Record {
    /// A record's canonical form: field values after their rules, conflicts, and translation views.
    public init(_ state: RecordState, schema: Schema = .planSync) {
        var fields: [String: FieldValue] = [:]
        var conflicts: [String: [String]] = [:]
        for name in state.fields.keys {
            fields[name] = state.value(of: name, schema: schema)
            let candidates = state.conflict(of: name, schema: schema)
            if !candidates.isEmpty { conflicts[name] = candidates }
        }
        var translations: [String: [String: CanonicalDump.Translation]] = [:]
        // Each field's source hashed once, not once per language.
        var hashes: [String: String] = [:]
        for (language, byField) in state.translations {
            for name in byField.keys {
                let view = state.translation(of: name, language: language) {
                    if let hash = hashes[name] { return hash }
                    let hash = SourceHash.of(state.sourceText(of: name, schema: schema))
                    hashes[name] = hash
                    return hash
                }
                guard let view else { continue }
                translations[language, default: [:]][name] = CanonicalDump.Translation(
                    text: view.text, status: view.status.rawValue, stale: view.stale)
            }
        }
        self.init(
            id: state.id, collection: state.collection, deleted: state.isDeleted, fields: fields,
            conflicts: conflicts, translations: translations)
    }
}

extension CanonicalDump {
    /// The dump's JSON written one record at a time, so that a replica can stream it in chunks: append the
    /// records in id order, `take()` what is written whenever convenient, and `finish()` after the last.
    public struct Writer: Sendable {
        private var json = PrettyJSONWriter()

        public init() {
            json.beginObject()
            json.key("records")
            json.beginArray()
        }

        /// How many bytes are written and not yet taken.
        public var pending: Int { json.bytes.count }

        public mutating func take() -> [UInt8] { json.take() }

        /// The rest of the text, ending the dump.
        public mutating func finish() -> [UInt8] {
            json.endArray()
            json.endObject()
            json.newline()
            return json.take()
        }

        /// One record, its keys in sorted order as the encoder writes them.
        public mutating func append(_ record: Record) {
            json.member(Self.fragment(record))
        }

        /// A record written apart (`fragment(_:)`), as the next record.
        public mutating func append(fragment: [UInt8]) {
            json.member(fragment)
        }

        /// One record's text, to be appended in its place with `append(fragment:)`: records can so be written
        /// on several threads at once.
        public static func fragment(_ record: Record) -> [UInt8] {
            // Records are the members of the array under `records`, two levels deep.
            var json = PrettyJSONWriter(depth: 2)
            json.beginObject()
            json.key("collection")
            json.string(record.collection)
            json.key("conflicts")
            json.beginObject()
            for (name, candidates) in PrettyJSONWriter.sortedKeys(record.conflicts) {
                json.key(name)
                json.strings(candidates)
            }
            json.endObject()
            json.key("deleted")
            json.bool(record.deleted)
            json.key("fields")
            json.beginObject()
            for (name, value) in PrettyJSONWriter.sortedKeys(record.fields) {
                json.key(name)
                switch value {
                case .text(let text): json.string(text)
                case .list(let elements): json.strings(elements)
                }
            }
            json.endObject()
            json.key("id")
            json.string(record.id)
            json.key("translations")
            json.beginObject()
            for (language, byField) in PrettyJSONWriter.sortedKeys(record.translations) {
                json.key(language)
                json.beginObject()
                for (name, translation) in PrettyJSONWriter.sortedKeys(byField) {
                    json.key(name)
                    json.beginObject()
                    json.key("stale")
                    json.bool(translation.stale)
                    json.key("status")
                    json.string(translation.status)
                    json.key("text")
                    json.string(translation.text)
                    json.endObject()
                }
                json.endObject()
            }
            json.endObject()
            json.endObject()
            return json.take()
        }
    }
}
