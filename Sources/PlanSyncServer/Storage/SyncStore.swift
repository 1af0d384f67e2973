import PlanSyncCore

/// What the server needs from storage: records with a server-assigned change sequence, and tokens.
///
/// Narrow on purpose, so a PostgreSQL store can follow the embedded SQLite one: every method is one
/// transaction, and the join itself stays in the core.
public protocol SyncStore: Sendable {
    /// The server's stable id, chosen when its data folder was created.
    func serverID() async throws -> ReplicaID

    /// Joins each pushed record into the stored one, in one transaction. `authorize` sees the stored state
    /// and the joined state and throws to refuse the whole batch; nothing is stored then.
    func push(
        _ records: [RecordState],
        authorize: @Sendable (_ stored: RecordState?, _ joined: RecordState) throws -> Void
    ) async throws -> PushResponse

    /// The records changed after sequence `since`, oldest first, at most `limit`, as a JSON response body.
    func pull(since: UInt64, limit: Int) async throws -> PullPage

    /// The token holder whose token hashes to `hash`, unless it was revoked.
    func principal(tokenHash: String) async throws -> Principal?

    func createToken(_ principal: Principal, hash: String) async throws
    func revokeToken(name: String) async throws -> Bool
}

/// A page of changes, already encoded: the stored JSON of each record is copied, not re-encoded.
public struct PullPage: Sendable {
    public var json: String
    public var count: Int
    public var cursor: UInt64
}
