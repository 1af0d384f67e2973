import PlanSyncCore
import PlanSyncReplica

/// One decision waiting for a person: an office's held edit of an approved report, a field with concurrent
/// values, or a translation with concurrent values. Their number is `RecordState.openDecisions` summed over the
/// replica — what `sync` counts — so the listing and the count agree.
public struct OpenDecision: Sendable, Hashable, Encodable {
    /// The record to decide on: the report, for a held edit.
    public var id: String
    /// The field in conflict; nil for a held edit, which lists its `changes`.
    public var field: String?
    public var language: String?
    /// The value shown meanwhile (the first candidate).
    public var value: String?
    public var candidates: [String]?
    /// For a held edit: its id, to accept or dismiss.
    public var held: String?
    /// For a held edit: the fields it would change, with the report's value and the office's.
    public var changes: [HeldProposal.Difference]?

    /// Every open decision of the replica: held edits first, then conflicts by record id.
    public static func all(in replica: some Workspace) async throws -> [OpenDecision] {
        var found = try await PendingHeldEdit.pending(in: replica).map {
            OpenDecision(id: $0.report, held: $0.id, changes: $0.changes)
        }
        let schema = replica.schema
        for record in try await replica.recordsAwaitingDecisions() {
            for field in record.conflictedFields(schema: schema) {
                let candidates = record.conflict(of: field, schema: schema)
                found.append(OpenDecision(id: record.id, field: field, value: candidates[0], candidates: candidates))
            }
            for (language, field) in record.conflictedTranslations(schema: schema) {
                guard let view = record.translation(of: field, language: language, schema: schema) else { continue }
                found.append(
                    OpenDecision(
                        id: record.id, field: field, language: language, value: view.text, candidates: view.candidates))
            }
        }
        return found
    }
}
