/// What a server does with each record of a push: the verification of what it claims, then the join, the
/// scope, the role and the approval lock. A store executes what this decides and decides nothing itself; the
/// tests' simulated server runs it too.
public struct PushPlan: Sendable {
    public let verification: PushVerification
    /// The server's own replica id, which writes the held-edit records.
    public let server: ReplicaID
    /// The pusher found this server's history went back: believe what can be believed instead of refusing.
    public let recovering: Bool

    public init(verification: PushVerification, server: ReplicaID, recovering: Bool = false) {
        self.verification = verification
        self.server = server
        self.recovering = recovering
    }

    var principal: Principal { verification.principal }
    var pusher: ReplicaID { verification.pusher }
    var schema: Schema { verification.schema }

    /// The stores of its stored copy a server reads to plan `incoming`, pushed as a delta carrying `carried`: just
    /// those when no rule of the plan looks beyond them, else nil (the whole record).
    ///
    /// Planned on those stores, a step decides what it decides on the whole record, and its state holds only
    /// them: the other stores are the stored copy's on both sides of the join (`RecordDelta.filled(from:)`).
    /// That holds for a shared record, whose scope, role checks and (absent) approval lock read no field of it.
    /// A delete or restore, which moves the tombstones, is read whole, so it is stored whole
    /// (docs/PROTOCOL.md, "Storage by field").
    public func storesRead(for incoming: RecordState, carried: Set<WriteTarget>?) -> Set<WriteTarget>? {
        guard let carried, !recovering, !carried.contains(.lifecycle),
            schema.collection(incoming.collection)?.scope == .shared, !Approval.governs(incoming.collection)
        else { return nil }
        return carried
    }

    /// The step for one pushed record, given its stored copy and a lookup of other stored records. Throws a
    /// `PushRefusal` (or a `RecordError` for a held edit that cannot be written) to refuse the whole batch.
    ///
    /// A record pushed as a delta (`carried` names its stores) is read as the whole state it stands for, its
    /// other stores as stored (`RecordDelta.filled(from:)`), and planned like a whole one. `stored` may hold just
    /// the stores `storesRead(for:carried:)` names; the step's state then holds just those too.
    public func step(
        incoming pushed: RecordState, carried: Set<WriteTarget>? = nil, stored: RecordState?,
        lookup: (String) throws -> RecordState?
    ) throws -> PushStep {
        let incoming = carried.map { RecordDelta(pushed, stores: $0).filled(from: stored) } ?? pushed
        // A record outside the pusher's reach (a report moved to another office, or another office's report)
        // is not its to write. Decided first, so the answer is the same whether the record exists or not and
        // says nothing of what it holds.
        guard principal.receives(office: (stored ?? incoming).scopeOffice(schema: schema)) else {
            return PushStep(decision: .evict, partial: false)
        }
        guard let claimed = recovering ? verification.believable(incoming, stored: stored) : incoming else {
            return PushStep(decision: .unchanged, partial: true)
        }
        try verification.verify(claimed, stored: stored)
        let partial = claimed != incoming
        let joined = stored.map { $0.joined(with: claimed) } ?? claimed
        guard joined != stored else { return PushStep(decision: .unchanged, partial: partial) }
        guard principal.receives(office: joined.scopeOffice(schema: schema)) else {
            return PushStep(decision: .evict, partial: partial)
        }
        try verification.verifyChanges(stored: stored, joined: joined)
        let report = stored ?? joined
        if let governing = Approval.id(governing: report, schema: schema),
            Approval.refusal(of: report, approval: try lookup(governing), by: principal) != nil
        {
            return PushStep(
                decision: .hold(try held(stored: stored, joined: joined, incoming: claimed)), partial: partial)
        }
        // Marked as the pusher's own when the join is exactly what it holds, so its pulls skip it. For a delta
        // that is when the join adds nothing to the filled state: its context then covers every write stored, so
        // the stores it left out are the ones the pusher holds (docs/PROTOCOL.md, "Deltas", D7).
        return PushStep(decision: .store(joined, origin: joined == incoming ? pusher : nil), partial: partial)
    }

    /// The record that keeps an office's edit of an approved report for the central team.
    private func held(stored: RecordState?, joined: RecordState, incoming: RecordState) throws -> RecordState {
        var clock = HybridLogicalClock(replica: server)
        return try HeldProposal.record(
            holding: incoming, of: stored ?? joined, targets: joined.targetsChanged(from: stored), pusher: pusher,
            proposer: principal.name, clock: &clock, now: verification.now, schema: schema)
    }
}

/// What the policy decided for one pushed record, and whether only part of it could be believed.
public struct PushStep: Sendable {
    public var decision: PushDecision
    /// The record carried writes of other replicas this server does not hold (a recovering push): they were
    /// left out, and the pusher keeps the record queued until their own replicas bring them back.
    public var partial: Bool

    public init(decision: PushDecision, partial: Bool) {
        self.decision = decision
        self.partial = partial
    }
}

/// What the server does with one pushed record.
public enum PushDecision: Sendable {
    /// Nothing to store: the server holds everything the record brings.
    case unchanged
    /// Store the joined state; `origin` marks it as exactly what that replica sent, so its pulls skip it.
    case store(RecordState, origin: ReplicaID?)
    /// Store nothing: the record is not the pusher's to hold (outside its scope). The pusher drops it.
    case evict
    /// Store `held` (an office's edit of an approved report, kept for the central team) instead of the join,
    /// and send the stored record to the pusher again, so it returns to the approved state.
    case hold(RecordState)
}
