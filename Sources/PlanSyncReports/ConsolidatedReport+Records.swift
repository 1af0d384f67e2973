import PlanSyncCore

/// Records looked up by collection, by id, or by a reference field: what a store answers so that a report
/// reads the records it shows rather than every record (a replica answers with SQL, decoding only those).
public protocol ReportRecordSource: Sendable {
    /// Every record of these collections.
    func records(in collections: [String]) async throws -> [RecordState]
    /// The records with these ids that exist.
    func records(ids: some Collection<String>) async throws -> [RecordState]
    /// At least the records of `collection` whose `field` has one of `values` (more may come back).
    func records(in collection: String, whereAnyCandidateOf field: String, isIn values: Set<String>)
        async throws -> [RecordState]
}

extension ConsolidatedReport {
    /// The records `build(records:plan:period:language:)` reads for one plan and period, sorted by id: on
    /// them it builds the same report as on every record. They are every plan (an unknown plan's error lists
    /// them), section, report, approval and held edit; the key activities of the plan's sections; the related
    /// activities reported on in the period; and the reports that pending held edits change. A plan with no
    /// reports therefore reads its outline and no related activity at all.
    public static func records(for plan: String, period: String, from source: some ReportRecordSource)
        async throws -> [RecordState]
    {
        var byID: [String: RecordState] = [:]
        func add(_ records: [RecordState]) {
            for record in records where byID[record.id] == nil { byID[record.id] = record }
        }
        let base = try await source.records(in: ["plan", "section", "report", "approval", "held"])
        add(base)
        let live = base.filter { !$0.isDeleted }
        let sections = Set(live.filter { $0.collection == "section" && $0.nonBlank("plan") == plan }.map(\.id))
        add(try await source.records(in: "activity", whereAnyCandidateOf: "section", isIn: sections))
        if let period = Period(period) {
            let inPeriod = live.filter { $0.reportingPeriod == period }
            let reported = inPeriod.filter { $0.collection == "report" }.map(\.reportedActivity)
            let changed = inPeriod.filter { $0.collection == "held" }.map { HeldProposal($0).report }
            add(try await source.records(ids: Set(reported + changed)))
        }
        return byID.values.sorted { $0.id < $1.id }
    }
}
