import GRDB
import PlanSyncCore

/// The replica's side of the approval lock: an office's edit of an approved report is refused before it is
/// queued.
enum ApprovalLock {
    static func refusal(of record: RecordState, by principal: Principal, in db: Database) throws -> String? {
        guard let approvalID = Approval.id(governing: record) else { return nil }
        return Approval.refusal(of: record, approval: try Replica.fetchState(approvalID, in: db), by: principal)
    }
}
