import PlanSyncCore
import PlanSyncReplica

/// One office's report as `report list` shows it: what it says, whether its period is approved, and which of
/// its fields wait for a decision.
public struct ReportSummary: Sendable, Hashable, Encodable {
    public var id, activity, office, period: String
    public var status: String?
    public var narrative: String?
    public var language: String?
    public var indicators: [String]
    public var approved: Bool
    public var conflicts: [String]

    /// The live reports of the replica, of one office and one period when given, newest period first.
    public static func all(in replica: some Workspace, office: String? = nil, period: String? = nil) async throws
        -> [ReportSummary]
    {
        let records = try await replica.records()
        let schema = replica.schema
        let byID = Dictionary(uniqueKeysWithValues: records.map { ($0.id, $0) })
        return records.filter { $0.collection == "report" && !$0.isDeleted }.compactMap { record -> ReportSummary? in
            func text(_ field: String) -> String? { record.value(of: field, schema: schema)?.text }
            guard let recordOffice = text("office"), let recordPeriod = text("period"),
                office == nil || office == recordOffice, period == nil || period == recordPeriod
            else { return nil }
            return ReportSummary(
                id: record.id, activity: text("activity") ?? "", office: recordOffice, period: recordPeriod,
                status: text("status"), narrative: text("narrative"), language: text("language"),
                indicators: record.fields["indicators", default: []].map(\.value).sorted(),
                approved: Approval.isApproved(byID[Approval.id(office: recordOffice, period: recordPeriod)]),
                conflicts: record.conflictedFields(schema: schema))
        }.sorted { ($0.period, $0.office, $0.activity) > ($1.period, $1.office, $1.activity) }
    }
}
