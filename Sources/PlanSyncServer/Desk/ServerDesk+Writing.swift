import Logging
import PlanSyncCore
import PlanSyncWorkflows

extension ServerDesk {
    /// Creates records and edits others as `person`, all or nothing, at the server's wall time `now` (the
    /// server's clock when nil): the new states are built as a replica builds them — the core's access rule for
    /// the person's role before and after each edit, a fresh tick of the desk's clock, the person's name as
    /// author — then verified and stored as a push of the desk's. A refusal is a one-line `WorkflowError`, and
    /// nothing is stored. An office's edit of an approved report is held for the central team, as a pushed one.
    @discardableResult
    public func write(
        as person: Principal, creating newRecords: [NewRecord] = [], editing edits: [(id: String, edit: Edit)] = [],
        now: UInt64? = nil
    ) async throws -> DeskWrite {
        try await writing.run {
            for _ in 1..<Self.attempts {
                if let done = try await self.attempt(as: person, creating: newRecords, editing: edits, now: now) {
                    return done
                }
            }
            if let done = try await self.attempt(as: person, creating: newRecords, editing: edits, now: now) {
                return done
            }
            throw WorkflowError(
                "the server's desk could not write: other instances kept writing the same records; nothing was "
                    + "changed (try again)")
        }
    }

    /// One try at a write, from the mirror caught up: what it did, or nil when another instance's desk wrote one
    /// of its records since the mirror read it (the states built would reuse its dots).
    private func attempt(
        as person: Principal, creating newRecords: [NewRecord], editing edits: [(id: String, edit: Edit)],
        now given: UInt64?
    ) async throws -> DeskWrite? {
        let now = given ?? wallClock()
        var draft = try await draft(now: now)
        let mirror = try await read { $0 }
        if let newest = mirror.newest { draft.clock.observe(newest, limit: now + CausalBounds.maxDrift) }
        for new in newRecords { try draft.create(new, as: person, in: mirror) }
        for (id, edit) in edits { try draft.apply(edit, to: id, as: person, in: mirror) }
        guard !draft.order.isEmpty else { return DeskWrite(held: [], changed: 0) }
        // Kept before any of its timestamps is stored: none is handed out twice, even after a crash.
        let kept = try await store.keepDeskClock(draft.clock)
        keep(kept)
        let desk = draft.clock.replica
        let bases = draft.deskCounters
        let response: PushResponse
        do {
            response = try await store.pushVerified(
                draft.order.compactMap { draft.states[$0] }, from: desk, as: person, now: now, schema: schema,
                logger: logger
            ) { incoming, stored, step in
                // Stored writes of the desk the mirror had not read: the new dots may be theirs.
                guard (stored?.context[desk] ?? 0) == bases[incoming.id, default: 0] else { throw DeskRace() }
                if case .evict = step.decision {
                    throw PushRefusal(
                        record: incoming.id, kind: .forbidden, reason: "the record is outside \(person.name)'s scope")
                }
            }
        } catch let error where error is DeskRace || (error as? PushRefusal)?.kind == .alteredEntry {
            logger.notice(
                "desk write raced another instance's; writing it again",
                metadata: ["token": "\(person.name)", "replica": "\(desk)", "reason": "\(error)"])
            return nil
        } catch let refusal as PushRefusal {
            throw WorkflowError("refused: \(refusal.record): \(refusal.reason); nothing was changed")
        } catch let error as StoreError where !error.isDatabase {
            throw WorkflowError("\(error); nothing was changed")
        }
        logger.info(
            "desk write",
            metadata: [
                "token": "\(person.name)", "replica": "\(desk)", "records": "\(draft.order.count)",
                "changed": "\(response.changed)", "held": "\(response.held.count)",
            ])
        try await catchUp()
        return DeskWrite(held: response.held, changed: response.changed)
    }

    /// A new draft, from the desk's identity and its clock as last kept.
    private func draft(now: UInt64) async throws -> DeskDraft {
        let identity = try await id()
        let clock = keptClock() ?? HybridLogicalClock(replica: identity)
        return DeskDraft(clock: clock, now: now, schema: schema)
    }
}

/// Another instance's desk stored a write of a record since this desk's mirror read it.
struct DeskRace: Error {}

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
