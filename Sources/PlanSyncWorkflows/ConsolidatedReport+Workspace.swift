import PlanSyncCore
import PlanSyncReplica
import PlanSyncReports

extension ConsolidatedReport {
    /// The consolidated report of one plan for one period, as `plansync report build` and the pages build it.
    ///
    /// It reads what the workspace gives for the report (`Workspace.reportRecords`): a replica only what the
    /// report shows, looked up in SQL.
    public static func build(
        plan: String, period: String, language: String = "en", in workspace: some Workspace
    ) async throws -> ConsolidatedReport {
        let records = try await workspace.reportRecords(plan: plan, period: period)
        do {
            return try build(records: records, plan: plan, period: period, language: language)
        } catch {
            throw WorkflowError(error.message)
        }
    }
}

/// A replica answers a report's lookups by collection, id and reference in SQL, decoding only those records.
extension Replica: ReportRecordSource {
    public func reportRecords(plan: String, period: String) async throws -> [RecordState] {
        try await ConsolidatedReport.records(for: plan, period: period, from: self)
    }
}
