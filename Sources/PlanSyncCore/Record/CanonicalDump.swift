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
        records = states.sorted { $0.id < $1.id }.map { state in
            var fields: [String: FieldValue] = [:]
            var conflicts: [String: [String]] = [:]
            for name in state.fields.keys {
                fields[name] = state.value(of: name, schema: schema)
                let candidates = state.conflict(of: name, schema: schema)
                if !candidates.isEmpty { conflicts[name] = candidates }
            }
            var translations: [String: [String: Translation]] = [:]
            for (language, byField) in state.translations {
                for name in byField.keys {
                    guard let view = state.translation(of: name, language: language, schema: schema) else { continue }
                    translations[language, default: [:]][name] = Translation(
                        text: view.text, status: view.status.rawValue, stale: view.stale)
                }
            }
            return Record(
                id: state.id, collection: state.collection, deleted: state.isDeleted, fields: fields,
                conflicts: conflicts, translations: translations)
        }
    }

    /// The dump as JSON text: sorted keys, two-space indentation, slashes unescaped, a final newline.
    public func json() throws -> String {
        try WireJSON.pretty(self)
    }
}

