import PlanSyncCore

/// The desk's copy of every record the store holds, as the store's own change feed brings them, and the
/// feed's cursor. Whatever instance stored a change, the feed brings it, so every desk over one database reads
/// the same records.
struct DeskMirror: Sendable {
    struct Entry: Sendable {
        var state: RecordState
        /// `RecordState.openDecisions`, counted once as the record arrives.
        var decisions: Int
    }

    private(set) var records: [String: Entry] = [:]
    /// The sequence of the last change taken.
    private(set) var cursor: UInt64 = 0
    /// The latest timestamp of any record taken, so the desk's clock moves past what the store holds (its own
    /// writes before a restart, and other instances' too).
    private(set) var newest: HybridTimestamp?

    /// Takes one page of the feed, read from `cursor`. False when another page was taken from it meanwhile:
    /// the page is older than what the mirror holds.
    mutating func take(_ page: PullResponse, from since: UInt64, schema: Schema) -> Bool {
        guard since == cursor else { return false }
        for state in page.records {
            records[state.id] = Entry(state: state, decisions: state.openDecisions(schema: schema))
            if let time = state.latestTime, newest.map({ time > $0 }) ?? true { newest = time }
        }
        for id in page.evicted { records[id] = nil }
        cursor = max(cursor, page.cursor)
        return true
    }

    /// The records `principal` receives (`Principal.receives`), as a pull for its token would bring them,
    /// of those `include` accepts, sorted by id.
    func visible(to principal: Principal, schema: Schema, where include: (Entry) -> Bool = { _ in true })
        -> [RecordState]
    {
        records.values.filter { entry in
            include(entry) && principal.receives(office: entry.state.scopeOffice(schema: schema))
        }.map(\.state).sorted { $0.id < $1.id }
    }

    /// One record, when `principal` receives it.
    func record(_ id: String, visibleTo principal: Principal, schema: Schema) -> RecordState? {
        guard let state = records[id]?.state, principal.receives(office: state.scopeOffice(schema: schema)) else {
            return nil
        }
        return state
    }
}
