import PlanSyncCore
import PlanSyncReplica

/// Deleting a record and what it contains: a plan with its sections, key activities and related activities;
/// a section with its key activities and theirs; a key activity with its related activities.
///
/// Each record gets its own tombstone, made knowing what this replica has seen of that record, so an edit of a
/// child made concurrently on another replica brings that child back (update beats delete) while the rest stay
/// deleted. Reports under an activity are left alone: they are the offices' record of the work (PlanOutline).
public struct Deletion: Sendable, Hashable {
    /// The record asked for.
    public let root: String
    /// The live records it contains, from the top level down.
    public let contents: [String]

    /// What deleting `id` in `replica` would delete.
    public static func of(_ id: String, in replica: some Workspace) async throws -> Deletion {
        guard let root = try await replica.record(id) else { throw ReplicaError.noRecord(id) }
        guard PlanOutline.contains(root) else { return Deletion(root: id, contents: []) }
        let plan = try await replica.records(prefix: RecordID.plan(of: id))
        let contents = PlanOutline.contents(of: root, among: plan, schema: replica.schema)
        return Deletion(root: id, contents: contents.map(\.id))
    }

    /// Deletes the root and its contents in one transaction: all of them, or — when any is refused — none.
    public func run(in replica: some Workspace) async throws {
        try await replica.save(([root] + contents).map { ($0, Edit.delete) })
    }

    /// What was (or would be) deleted, e.g. "PLAN and its 11 sections and activities".
    public var summary: String {
        switch contents.count {
        case 0: root
        case 1: "\(root) and the 1 section or activity it contains"
        default: "\(root) and its \(contents.count) sections and activities"
        }
    }
}
