import Foundation
import PlanSyncCore

/// What the server does with each record of a push, by the pusher's role: store it, refuse the batch (403),
/// drop it because it left the pusher's scope, or hold an office's edit of an approved report.
struct PushPolicy: Sendable {
    let principal: Principal
    let pusher: ReplicaID
    let server: ReplicaID
    let schema: Schema

    func decide(
        stored: RecordState?, joined: RecordState, incoming: RecordState, lookup: (String) throws -> RecordState?
    ) throws -> PushDecision {
        // A record outside the pusher's reach (a report moved to another office) is no longer its to write.
        if let stored, !principal.receives(office: stored.scopeOffice(schema: schema)) {
            return .evict
        }
        for target in joined.targetsChanged(from: stored).sorted(by: { "\($0)" < "\($1)" }) {
            let reason =
                stored.flatMap { principal.refusal(of: target, on: $0, schema: schema) }
                ?? principal.refusal(of: target, on: joined, schema: schema)
            if let reason { throw APIError.forbidden("\(joined.id): \(reason)") }
        }
        let report = stored ?? joined
        if let governing = Approval.id(governing: report, schema: schema),
            Approval.refusal(of: report, approval: try lookup(governing), by: principal) != nil
        {
            return .hold(try held(stored: stored, joined: joined, incoming: incoming))
        }
        return .store
    }

    /// The record that keeps an office's edit of an approved report for the central team.
    private func held(stored: RecordState?, joined: RecordState, incoming: RecordState) throws -> RecordState {
        var clock = HybridLogicalClock(replica: server)
        return try HeldProposal.record(
            holding: incoming, of: stored ?? joined, targets: joined.targetsChanged(from: stored), pusher: pusher,
            proposer: principal.name, clock: &clock, now: UInt64(Date().timeIntervalSince1970 * 1000), schema: schema)
    }
}
