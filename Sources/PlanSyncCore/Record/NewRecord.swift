/// A record to create: its id, collection and first field values (a list field's value one element per line).
///
/// The seeded plans, a spreadsheet import and the replica's own `create` all describe new records this way,
/// and all build them with `state(schema:writer:)`, so a created record is written like any other edit.
public struct NewRecord: Sendable, Hashable {
    public var id: String
    public var collection: String
    public var values: [Value]

    public struct Value: Sendable, Hashable {
        public var field: String
        public var value: String

        public init(_ field: String, _ value: String) {
            self.field = field
            self.value = value
        }
    }

    public init(id: String, collection: String, values: [Value]) {
        self.id = id
        self.collection = collection
        self.values = values
    }

    /// The record's first state: one write per non-empty value, each from a fresh writer.
    /// A writer that cannot be had (the clock is out of range) is an error of this record.
    public func state(schema: Schema, writer: () throws -> Writer) throws(RecordError) -> RecordState {
        try RecordID.validate(id)
        guard schema.collection(collection) != nil else {
            throw RecordError.unknownCollection(collection, record: id)
        }
        var state = RecordState(id: id, collection: collection)
        for value in values where !value.value.isEmpty {
            let next: Writer
            do { next = try writer() } catch { throw RecordError(record: id, "\(error)") }
            try state.apply(.set(field: value.field, value: value.value), schema: schema, by: next)
        }
        return state
    }
}
