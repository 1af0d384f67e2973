import PlanSyncCore

/// The records a sync brought in that changed here, with what changed in each: at most `limit` of them, and
/// a count of the rest, so a first sync of a whole plan history stays cheap.
public struct PulledChanges: Sendable, Codable {
    /// One record a pull changed here.
    public struct Change: Sendable, Codable, Hashable {
        public let id: String
        public let collection: String
        /// Fields, translations (`field [language]`) and `(record)` for a create or delete.
        public let changed: [String]
    }

    public let limit: Int
    public private(set) var records: [Change] = []
    /// Changed records beyond `limit`, not listed.
    public private(set) var more = 0

    public init(limit: Int) {
        self.limit = limit
    }

    mutating func note(_ state: RecordState, was old: RecordState?) {
        // Pulled again in a later page of the same sync: one line per record.
        if let index = records.firstIndex(where: { $0.id == state.id }) {
            let union = Set(records[index].changed).union(state.changedTargetNames(since: old)).sorted()
            records[index] = Change(id: state.id, collection: state.collection, changed: union)
            return
        }
        // Past the limit only the count is kept: what changed is not worked out (a first sync notes every record).
        guard records.count < limit else {
            more += 1
            return
        }
        records.append(
            Change(id: state.id, collection: state.collection, changed: state.changedTargetNames(since: old)))
    }
}
