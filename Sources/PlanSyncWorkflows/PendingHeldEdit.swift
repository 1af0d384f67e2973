import PlanSyncCore
import PlanSyncReplica

/// An office's edit of an approved report, held by the server for the central team, shown as what it would
/// change: only the fields whose proposed value differs from the report as it stands.
public struct PendingHeldEdit: Sendable, Hashable {
    /// The held record's id (`REPORT/held/REPLICA-N`).
    public let id: String
    public let report: String
    public let proposedBy: String?
    /// The fields that differ from the current report, in the schema's order.
    public let changes: [HeldProposal.Difference]
    /// Everything the office proposed, as held (accepting applies all of it).
    public let proposal: HeldProposal

    /// Compares `proposal` with `report`, the report as it stands in this replica (nil if absent).
    public init(_ proposal: HeldProposal, report: RecordState?, schema: Schema = .planSync) {
        id = proposal.id
        self.report = proposal.report
        proposedBy = proposal.proposedBy
        self.proposal = proposal
        changes = proposal.differences(from: report, schema: schema)
    }
}

extension PendingHeldEdit {
    /// Every held edit still waiting for the central team's decision, by id.
    public static func pending(in replica: some Workspace) async throws -> [PendingHeldEdit] {
        var found: [PendingHeldEdit] = []
        for record in try await replica.recordsAwaitingDecisions() where record.collection == "held" {
            guard let edit = try await PendingHeldEdit(record, in: replica) else { continue }
            found.append(edit)
        }
        return found
    }

    /// The pending held edits of one report, by id.
    public static func pending(of report: String, in replica: some Workspace) async throws -> [PendingHeldEdit] {
        var found: [PendingHeldEdit] = []
        for record in try await replica.records(prefix: report) where record.collection == "held" {
            guard let edit = try await PendingHeldEdit(record, in: replica), edit.report == report else { continue }
            found.append(edit)
        }
        return found
    }

    /// The pending held edit `id` names: a held edit's id, or a report's id when one held edit of it waits.
    public static func named(_ id: String, in replica: some Workspace) async throws -> PendingHeldEdit {
        guard let record = try await replica.record(id), record.collection == "held" || record.collection == "report"
        else { throw WorkflowError("no held edit or report '\(id)' in this replica (see 'plansync conflicts')") }
        if record.collection == "held" {
            guard let edit = try await PendingHeldEdit(record, in: replica) else {
                throw WorkflowError("the held edit \(id) was accepted or dismissed already")
            }
            return edit
        }
        let waiting = try await pending(of: id, in: replica)
        switch waiting.count {
        case 0: throw WorkflowError("no held edit of \(id) waits for a decision (see 'plansync conflicts')")
        case 1: return waiting[0]
        default:
            throw WorkflowError(
                "\(id) has \(waiting.count) held edits waiting: \(waiting.map(\.id).joined(separator: ", ")); "
                    + "give the one to decide")
        }
    }

    /// Applies everything the office proposed to the report and marks the held edit accepted, in one transaction.
    public func accept(in replica: some Workspace) async throws {
        var edits: [(id: String, edit: Edit)] = proposal.changes.sorted { $0.key < $1.key }.map {
            (report, .set(field: $0.key, value: $0.value))
        }
        edits.append((id, .set(field: "outcome", value: "accepted")))
        try await replica.save(edits)
    }

    /// Marks the held edit dismissed: the report stays as approved, and the proposal stays on record.
    public func dismiss(in replica: some Workspace) async throws {
        try await replica.save([(id, .set(field: "outcome", value: "dismissed"))])
    }

    /// A pending held record compared with its report, or nil when it was decided already or is deleted.
    private init?(_ record: RecordState, in replica: some Workspace) async throws {
        let proposal = HeldProposal(record, schema: replica.schema)
        guard proposal.pending, !record.isDeleted else { return nil }
        self.init(proposal, report: try await replica.record(proposal.report), schema: replica.schema)
    }
}
