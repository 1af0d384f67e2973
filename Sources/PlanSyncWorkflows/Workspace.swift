import PlanSyncCore
import PlanSyncReplica

/// Where a person reads and writes records: a field replica (the command line, `plansync ui`), or the server's
/// own desk, which writes for the person signed in to its pages. Every workflow runs on one, so the command
/// line and the pages share each workflow's one copy.
public protocol Workspace: Sendable {
    var schema: Schema { get }

    /// Who reads and writes here: the replica's token holder, or the person signed in to the server's pages.
    func principal() async throws -> Principal

    /// One record in the person's scope, or nil.
    func record(_ id: String) async throws -> RecordState?

    /// Every record in the person's scope, sorted by id.
    func records() async throws -> [RecordState]

    /// The records whose id is `prefix` or starts with `prefix/`, sorted by id.
    func records(prefix: String) async throws -> [RecordState]

    /// The records waiting on a person's decision (a conflict, or a held edit), sorted by id.
    func recordsAwaitingDecisions() async throws -> [RecordState]

    /// The records a consolidated report of `plan` for `period` reads (`ConsolidatedReport.records(for:period:from:)`),
    /// or more: a workspace that looks records up by collection and reference answers with only those.
    func reportRecords(plan: String, period: String) async throws -> [RecordState]

    /// Creates records and edits others as the person, all or nothing: every write is checked by the core's
    /// access rule for the person's role before anything is kept.
    func save(creating newRecords: [NewRecord], editing edits: [(id: String, edit: Edit)]) async throws
}

extension Workspace {
    /// Every record: the report built on them is the same.
    public func reportRecords(plan: String, period: String) async throws -> [RecordState] {
        try await records()
    }

    /// Edits records as the person, all or nothing.
    public func save(_ edits: [(id: String, edit: Edit)]) async throws {
        try await save(creating: [], editing: edits)
    }
}

extension Replica: Workspace {
    public func principal() async throws -> Principal {
        try await identity().principal
    }

    public func save(creating newRecords: [NewRecord], editing edits: [(id: String, edit: Edit)]) async throws {
        try await write(creating: newRecords, editing: edits)
    }
}
