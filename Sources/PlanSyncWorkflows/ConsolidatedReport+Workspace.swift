import PlanSyncCore
import PlanSyncReplica
import PlanSyncReports

extension ConsolidatedReport {
    /// The consolidated report of one plan for one period, as `plansync report build` and the pages build it.
    ///
    /// A workspace that answers report lookups itself (a replica, in SQL) is read for only what the report
    /// shows; any other is read whole, which builds the same report.
    public static func build(
        plan: String, period: String, language: String = "en", in workspace: some Workspace
    ) async throws -> ConsolidatedReport {
        let records: [RecordState]
        if let source = workspace as? any ReportRecordSource {
            records = try await ConsolidatedReport.records(for: plan, period: period, from: source)
        } else {
            records = try await workspace.records()
        }
        do {
            return try build(records: records, plan: plan, period: period, language: language)
        } catch {
            throw WorkflowError(error.message)
        }
    }
}

/// A replica answers a report's lookups by collection, id and reference in SQL, decoding only those records.
extension Replica: ReportRecordSource {}
