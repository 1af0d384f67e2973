import PlanSyncCore
import PlanSyncMaterials
import PlanSyncReplica

extension OpenDecision {
    /// Settles a field's concurrent values — or, with `language`, its concurrent translations into that
    /// language — with `value`: it supersedes every candidate the workspace has seen, and the resolution is
    /// recorded. A material's text is refused if it would hold raw HTML; nothing is changed then.
    public static func resolve(
        _ id: String, field: String, language: String? = nil, value: String,
        status: TranslationStatus = .translated, in workspace: some Workspace
    ) async throws {
        let edit: Edit =
            language.map { .resolveTranslation(field: field, language: $0, text: value, status: status) }
            ?? .resolve(field: field, value: value)
        guard let record = try await workspace.record(id) else { throw ReplicaError.noRecord(id) }
        do {
            try MaterialText.check(edit, record: id, collection: record.collection)
        } catch {
            throw WorkflowError("\(error); nothing was changed")
        }
        try await workspace.save([(id, edit)])
    }
}
