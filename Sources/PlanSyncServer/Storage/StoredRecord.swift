import PlanSyncCore

/// What every store writes for one record at a new sequence: its row, its rows in the feed of stores, and the
/// eviction from the office it left. A record new here, moved to another office, sent `whole` or changed in no
/// store goes whole to every puller behind it (one `*` row); otherwise each changed store gets a row with its
/// JSON. When an office-scoped record changes office, the office it left gets an eviction at the same sequence.
struct StoredRecord {
    var id: String
    var collection: String
    var json: String
    var office: String?
    var origin: String?
    var context: String
    var stores: [(name: String, json: String?)]
    /// The office whose replicas drop the record.
    var evictedFrom: String?

    init(_ state: RecordState, previous: RecordState?, origin: ReplicaID?, whole: Bool, schema: Schema) {
        id = state.id
        collection = state.collection
        json = RecordJSON.string(state)
        office = state.scopeOffice(schema: schema)
        self.origin = origin?.rawValue
        context = RecordJSON.context(of: state)
        let left = previous?.scopeOffice(schema: schema)
        let changed = whole || previous == nil || left != office ? [] : state.targetsChanged(from: previous)
        stores =
            changed.isEmpty
            ? [(FeedPage.wholeStore, nil)] : changed.map { ($0.storeName, RecordJSON.store($0, of: state)) }
        evictedFrom = left != office ? left : nil
    }
}
