import Logging
import PlanSyncCore
import PlanSyncWorkflows

extension ServerDesk {
    /// Creates records and edits others as `person`, all or nothing, at the server's wall time `now` (the
    /// server's clock when nil): the new states are built as a replica builds them — the core's access rule for
    /// the person's role before and after each edit, a fresh tick of the desk's clock, the person's name on
    /// resolutions — then verified and stored as a push of the desk's. A refusal is a one-line `WorkflowError`, and
    /// nothing is stored. An office's edit of an approved report is held for the central team, as a pushed one.
    @discardableResult
    public func write(
        as person: Principal, creating newRecords: [NewRecord] = [], editing edits: [(id: String, edit: Edit)] = [],
        now: UInt64? = nil
    ) async throws -> DeskWrite {
        try await writing.run {
            for attempt in 0..<Self.attempts {
                if attempt > 0 { try await Self.backOff(before: attempt) }
                if let done = try await self.attempt(as: person, creating: newRecords, editing: edits, now: now) {
                    return done
                }
            }
            throw WorkflowError(
                "the server's desk could not write: other instances kept writing the same records; nothing was "
                    + "changed (try again)")
        }
    }

    /// Waits a random while before trying a write again, up to twice as long after each race (from 10 ms, at most
    /// 640 ms): two instances racing for one record fall out of step instead of racing again at once.
    private static func backOff(before attempt: Int) async throws {
        let ceiling = 10 << min(attempt - 1, 6)
        try await Task.sleep(for: .milliseconds(Int.random(in: 1...ceiling)))
    }

    /// One try at a write, from the mirror caught up: what it did, or nil when another instance's desk wrote one
    /// of its records since the mirror read it (the states built would reuse its dots).
    private func attempt(
        as person: Principal, creating newRecords: [NewRecord], editing edits: [(id: String, edit: Edit)],
        now given: UInt64?
    ) async throws -> DeskWrite? {
        let now = given ?? wallClock()
        let draft = try await draft(as: person, creating: newRecords, editing: edits, now: now)
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
        } catch let refusal as PushRefusal where refusal.kind == .alteredEntry {
            // Another instance's desk stored the same dot with other content — a race, made again — unless the
            // record holds no desk write the mirror lacked: then the refusal is real.
            try await catchUp()
            let stored = look { $0.record(refusal.record, visibleTo: ServerDesk.reader, schema: schema) }
            guard (stored?.context[desk] ?? 0) != bases[refusal.record, default: 0] else {
                throw WorkflowError("refused: \(refusal.record): \(refusal.reason); nothing was changed")
            }
            logger.notice(
                "desk write raced another instance's; writing it again",
                metadata: ["token": "\(person.name)", "replica": "\(desk)", "reason": "\(refusal)"])
            return nil
        } catch let error as DeskRace {
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

    /// The states of a write, built on the mirror caught up, with the desk's clock as last kept moved past the
    /// latest timestamp the mirror holds.
    private func draft(
        as person: Principal, creating newRecords: [NewRecord], editing edits: [(id: String, edit: Edit)],
        now: UInt64
    ) async throws -> DeskDraft {
        let identity = try await id()
        var draft = DeskDraft(clock: keptClock() ?? HybridLogicalClock(replica: identity), now: now, schema: schema)
        let mirror = try await read { $0 }
        if let newest = mirror.newest { draft.clock.observe(newest, limit: now + CausalBounds.maxDrift) }
        for new in newRecords { try draft.create(new, as: person, in: mirror) }
        for (id, edit) in edits { try draft.apply(edit, to: id, as: person, in: mirror) }
        return draft
    }
}

/// Another instance's desk stored a write of a record since this desk's mirror read it.
struct DeskRace: Error, CustomStringConvertible {
    var description: String { "the record holds writes of the desk that this instance had not read yet" }
}
