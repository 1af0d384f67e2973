import PlanSyncCore
import PlanSyncWorkflows

/// One person's workspace at the server's desk: the records in their scope, as a pull for their token would
/// bring them, read from the desk's mirror as `ServerDesk.workspace(for:)` (and each write since) caught it up;
/// and writes the desk makes for them.
struct DeskWorkspace: Workspace {
    let desk: ServerDesk
    let person: Principal

    var schema: Schema { desk.schema }

    func principal() -> Principal { person }

    func record(_ id: String) async throws -> RecordState? {
        let (person, schema) = (person, schema)
        return desk.look { $0.record(id, visibleTo: person, schema: schema) }
    }

    func records() async throws -> [RecordState] {
        let (person, schema) = (person, schema)
        return desk.look { $0.visible(to: person, schema: schema) }
    }

    func records(prefix: String) async throws -> [RecordState] {
        let (person, schema) = (person, schema)
        return desk.look { mirror in
            mirror.visible(to: person, schema: schema) { entry in
                entry.state.id == prefix || entry.state.id.hasPrefix(prefix + "/")
            }
        }
    }

    func recordsAwaitingDecisions() async throws -> [RecordState] {
        let (person, schema) = (person, schema)
        return desk.look { $0.visible(to: person, schema: schema) { $0.decisions > 0 } }
    }

    func save(creating newRecords: [NewRecord], editing edits: [(id: String, edit: Edit)]) async throws {
        try await desk.write(as: person, creating: newRecords, editing: edits)
    }
}
