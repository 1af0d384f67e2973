import Foundation
import PlanSyncCore

/// What the server's verification of pushes costs: the core's push plan (verify every claim, join, scope,
/// role, approval) beside what the server ran before it verified anything (join, scope, role, approval), on
/// the same stored records and the same pushed edits, in the same run.
enum PushChecks {
    static func run(_ sizes: BenchmarkSizes, log: BenchmarkLog) throws -> [ScenarioResult] {
        let count = max(500, sizes.offlineEdits)
        log.step("push checks: \(count) pushed edits, verified and not")
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        var plans = GeneratedPlans(plan: "bench-checks", seed: 11, now: now)
        let stored = try plans.next(count)
        let pusher = ReplicaID("bench-office")
        var clock = HybridLogicalClock(replica: pusher)
        let pushed = try stored.map { state in
            var edited = state
            try edited.apply(
                .set(field: "comment", value: "Letter sent on \(state.id)"), schema: .planSync,
                by: Writer(time: try clock.tick(now: now), author: "bench-admin"))
            return edited
        }
        let byID = Dictionary(uniqueKeysWithValues: stored.map { ($0.id, $0) })
        let principal = Principal(name: "bench-admin", role: .admin)
        let plan = PushPlan(
            verification: PushVerification(pusher: pusher, principal: principal, now: now), server: ReplicaID("server"))

        var verifiedStores = 0
        let verified = try RecordCodec.best(of: 3) {
            for incoming in pushed {
                let step = try plan.step(incoming: incoming, stored: byID[incoming.id], lookup: { byID[$0] })
                if case .store = step.decision { verifiedStores += 1 }
            }
        }
        var joinStores = 0
        let unverified = RecordCodec.best(of: 3) {
            for incoming in pushed {
                let old = byID[incoming.id]!
                let joined = old.joined(with: incoming)
                guard joined != old, principal.receives(office: old.scopeOffice()) else { continue }
                let refused = joined.targetsChanged(from: old).contains { principal.refusal(of: $0, on: joined) != nil }
                let held = Approval.id(governing: old).flatMap { byID[$0] } != nil
                if !refused && !held { joinStores += 1 }
            }
        }
        // Both ran three times over every edit, and both store every one.
        precondition(verifiedStores == 3 * count && joinStores == 3 * count, "an edit was not stored")
        return [
            ScenarioResult(
                name: "push checks",
                figures: [
                    Figure(
                        "verified push plan", Double(count) / verified, "edits/s",
                        baseline: Baseline("unverified plan", Double(count) / unverified, "edits/s"),
                        ratio: unverified / verified, ratioMeaning: "the unverified speed",
                        note: "\(count) one-field edits of generated records; unverified: join, scope, role and approval as before; in process, best of 3")
                ],
                details: [
                    "edits": Double(count), "verifiedSeconds": verified, "unverifiedSeconds": unverified,
                ])
        ]
    }
}
