import PlanSyncCore
import PlanSyncWorkflows

/// The states one desk write builds, from the mirror, as a replica builds its local writes.
struct DeskDraft {
    var clock: HybridLogicalClock
    let now: UInt64
    let schema: Schema
    var states: [String: RecordState] = [:]
    /// The records written, in the order first written.
    var order: [String] = []
    /// For each record written, how many writes of the desk its state had seen before this write.
    var deskCounters: [String: UInt64] = [:]

    init(clock: HybridLogicalClock, now: UInt64, schema: Schema) {
        self.clock = clock
        self.now = now
        self.schema = schema
    }

    mutating func create(_ new: NewRecord, as person: Principal, in mirror: DeskMirror) throws {
        guard mirror.records[new.id] == nil, states[new.id] == nil else {
            throw WorkflowError("\(new.id) exists already; nothing was changed")
        }
        let state: RecordState
        do throws(RecordError) {
            state = try new.state(schema: schema) { try writer(for: person) }
        } catch {
            throw WorkflowError("\(error); nothing was changed")
        }
        if let reason = person.refusal(of: .lifecycle, on: state, schema: schema) {
            throw Self.refused(new.id, reason)
        }
        keep(state, base: nil)
    }

    mutating func apply(_ edit: Edit, to id: String, as person: Principal, in mirror: DeskMirror) throws {
        guard var state = states[id] ?? mirror.record(id, visibleTo: person, schema: schema) else {
            throw WorkflowError("no record '\(id)' for \(person.name) on this server; nothing was changed")
        }
        let before = state
        if let reason = person.refusal(of: edit.target, on: state, schema: schema) { throw Self.refused(id, reason) }
        let writer = try writer(for: person)
        do throws(RecordError) {
            try state.apply(edit, schema: schema, by: writer)
        } catch {
            throw WorkflowError("\(error); nothing was changed")
        }
        if let reason = person.refusal(of: edit.target, on: state, schema: schema) { throw Self.refused(id, reason) }
        keep(state, base: before)
    }

    private mutating func keep(_ state: RecordState, base: RecordState?) {
        if states[state.id] == nil {
            order.append(state.id)
            deskCounters[state.id] = base?.context[clock.replica] ?? 0
        }
        states[state.id] = state
    }

    /// A writer for one write: a fresh tick of the desk's clock, and the person's name.
    private mutating func writer(for person: Principal) throws -> Writer {
        do {
            return Writer(time: try clock.tick(now: now), author: person.name)
        } catch {
            throw WorkflowError("the server's desk clock cannot give a timestamp: \(error); nothing was changed")
        }
    }

    private static func refused(_ id: String, _ reason: String) -> WorkflowError {
        WorkflowError("refused: \(id): \(reason); nothing was changed")
    }
}
