import PlanSyncCore

/// What the server needs from storage: records with a server-assigned change sequence, and tokens.
///
/// Narrow on purpose, so a PostgreSQL store can follow the embedded SQLite one: every method is one
/// transaction, and the join itself stays in the core.
public protocol SyncStore: Sendable {
    /// The server's stable id, chosen when its data folder was created.
    func serverID() async throws -> ReplicaID

    /// Joins each pushed record into the stored one, in one transaction. `decide` sees the stored state, the
    /// joined state and a lookup of other stored records; it says what to do with the record, or throws to
    /// refuse the whole batch — nothing is stored then. A stored state equal to what `pusher` sent is marked
    /// as that replica's, so its pulls skip it (it holds that state already, or a later one).
    func push(
        _ records: [RecordState], from pusher: ReplicaID,
        decide: @Sendable (_ stored: RecordState?, _ joined: RecordState, _ lookup: (String) throws -> RecordState?)
            throws -> PushDecision
    ) async throws -> PushResponse

    /// The changes after sequence `since` that `principal` receives, oldest first, at most `limit`, as a JSON
    /// response body: the records in its scope, and the ids of records that left its scope. Changes whose
    /// stored state `replica` pushed itself count toward the limit and the cursor but are not sent.
    func pull(since: UInt64, limit: Int, for principal: Principal, replica: ReplicaID?) async throws -> PullPage

    /// The token holder whose token hashes to `hash`, unless it was revoked.
    func principal(tokenHash: String) async throws -> Principal?

    func createToken(_ principal: Principal, hash: String) async throws
    func revokeToken(name: String) async throws -> Bool
}

/// What the server does with one pushed record.
public enum PushDecision: Sendable {
    /// Store the joined state.
    case store
    /// Store nothing: the record is no longer the pusher's to hold (it left its scope). The pusher drops it.
    case evict
    /// Store `held` (an office's edit of an approved report, kept for the central team) instead of the join,
    /// and send the stored record to the pusher again, so it returns to the approved state.
    case hold(RecordState)
}

/// A page of changes, already encoded: the stored JSON of each record is copied, not re-encoded.
public struct PullPage: Sendable {
    public var json: String
    public var count: Int
    public var cursor: UInt64
}
