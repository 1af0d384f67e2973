import Logging
import PlanSyncCore

extension SyncStore {
    /// Runs `plan` on each pushed record with its whole stored copy (`push(_:reading:plan:)`).
    public func push(
        _ records: [RecordState],
        plan:
            @Sendable (_ incoming: RecordState, _ stored: RecordState?, _ lookup: (String) throws -> RecordState?)
            throws -> PushStep
    ) async throws -> PushResponse {
        try await push(records, reading: { _ in nil }, plan: plan)
    }

    /// Verifies `records` as written by `principal` on replica `pusher`, and stores what the push plan decides for
    /// each, in one transaction: the one way writes enter the store, for `POST /v1/push` and the server's own desk
    /// alike. `carried` names the stores of records pushed as deltas. A `PushRefusal` is logged and thrown, and
    /// nothing is stored; `check` may refuse a planned step too (by throwing), before anything is stored.
    func pushVerified(
        _ records: [RecordState], carried: [String: Set<WriteTarget>] = [:], from pusher: ReplicaID,
        as principal: Principal, now: UInt64, schema: Schema, recovering: Bool = false, logger: Logger,
        check: (@Sendable (_ incoming: RecordState, _ stored: RecordState?, _ step: PushStep) throws -> Void)? = nil
    ) async throws -> PushResponse {
        let plan = PushPlan(
            verification: PushVerification(pusher: pusher, principal: principal, now: now, schema: schema),
            server: try await serverID(), recovering: recovering)
        do {
            return try await push(records, reading: { plan.storesRead(for: $0, carried: carried[$0.id]) }) {
                incoming, stored, lookup in
                let step = try plan.step(
                    incoming: incoming, carried: carried[incoming.id], stored: stored, lookup: lookup)
                try check?(incoming, stored, step)
                return step
            }
        } catch let refusal as PushRefusal {
            logger.notice(
                "push refused",
                metadata: [
                    "token": "\(principal.name)", "replica": "\(pusher)", "record": "\(refusal.record)",
                    "kind": "\(refusal.kind.rawValue)", "reason": "\(refusal.reason)",
                ])
            throw refusal
        }
    }
}
