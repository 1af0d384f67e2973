import PlanSyncCore

/// One translatable piece of content: a translatable field of a record that has English to translate.
///
/// Its id, `RECORD#FIELD`, is stable across edits and is the XLIFF `trans-unit` id.
public struct TranslationUnit: Sendable, Hashable {
    public let record: RecordState
    public let field: String

    public var id: String { Self.id(record: record.id, field: field) }
    public var plan: String { RecordID.plan(of: record.id) }

    public static func id(record: String, field: String) -> String { "\(record)#\(field)" }

    /// Splits a unit id into record id and field, or nil when it is not of the form `RECORD#FIELD`.
    public static func parse(_ id: String) -> (record: String, field: String)? {
        guard let hash = id.lastIndex(of: "#") else { return nil }
        let record = String(id[..<hash])
        let field = String(id[id.index(after: hash)...])
        return record.isEmpty || field.isEmpty ? nil : (record, field)
    }

    /// The English to translate.
    public func source(schema: Schema = .planSync) -> String {
        record.sourceText(of: field, schema: schema)
    }

    /// Every unit of the live records, sorted by record id then schema field order; only one plan's when
    /// `plan` is given.
    public static func all(in records: [RecordState], plan: String? = nil, schema: Schema = .planSync)
        -> [TranslationUnit]
    {
        records.sorted { $0.id < $1.id }.flatMap { record -> [TranslationUnit] in
            guard plan == nil || RecordID.plan(of: record.id) == plan else { return [] }
            return record.translationUnitFields(schema: schema).map { TranslationUnit(record: record, field: $0) }
        }
    }
}
