import Foundation
import PlanSyncCore

/// What the server needs from storage: records with a server-assigned change sequence, the epochs of its
/// history, the replicas bound to tokens, and tokens.
///
/// Narrow on purpose, so a PostgreSQL store can follow the embedded SQLite one: every method is one
/// transaction, and every decision (verification, join, scope, role, hold) is taken by the caller's plan.
public protocol SyncStore: Sendable {
    /// The server's stable id, chosen when its data folder was created.
    func serverID() async throws -> ReplicaID

    /// The epoch this process serves, opened on the first call: every start of a server opens a new one.
    func epoch() async throws -> Epoch

    /// Whether `position` (what a replica saw of this server's history) is in the history this store holds.
    /// Returns nil when it is, or the sequence to pull again from when the history went back (a restore, an
    /// older data folder copied back): everything up to it is held, what came after may be lost.
    func resumePoint(for position: HistoryPosition) async throws -> UInt64?

    /// Binds `replica` to the token named `token` on first use. Returns the token it is bound to: `token`,
    /// or another one (the replica id belongs to someone else).
    func bind(replica: ReplicaID, to token: String) async throws -> String

    /// Runs `plan` on each pushed record with its stored copy, in one transaction, and does what it says.
    /// `plan` may throw to refuse the whole batch — nothing is stored then. `reading` names the stores of the
    /// stored copy the plan needs (`PushPlan.storesRead(for:carried:)`; nil for the whole record): a store that
    /// keeps records by field reads just those, and writes just what changed of them.
    func push(
        _ records: [RecordState], reading: @Sendable (_ incoming: RecordState) -> Set<WriteTarget>?,
        plan:
            @Sendable (_ incoming: RecordState, _ stored: RecordState?, _ lookup: (String) throws -> RecordState?)
            throws -> PushStep
    ) async throws -> PushResponse

    /// The changes after sequence `since` that `principal` receives, oldest first, at most `limit`, as a JSON
    /// response body: the records in its scope, and the ids of records that left its scope. Changes whose
    /// stored state `replica` pushed itself count toward the limit and the cursor but are not sent. With
    /// `deltas` (a puller of protocol version 2), a record the puller holds as of `since` comes as a delta of
    /// the stores changed after it.
    func pull(
        since: UInt64, limit: Int, for principal: Principal, replica: ReplicaID?, deltas: Bool, extra: String
    ) async throws -> PullPage

    /// Registers `key` as the signing key of `replica` (bound to a token already) unless it has one. Returns the
    /// key registered: `key`, or another one (a replica's key never changes).
    func register(key: ReplicaKey, for replica: ReplicaID) async throws -> ReplicaKey

    /// Who signs for `replica`: the holder of the live token it is bound to, and its registered key; nil when
    /// the replica is unknown, has no key, or its token was revoked.
    func signer(_ replica: ReplicaID) async throws -> (principal: Principal, key: ReplicaKey)?

    /// The token holder whose token hashes to `hash`, unless it was revoked.
    func principal(tokenHash: String) async throws -> Principal?

    /// Creates a token. A name in live use is refused; a revoked token's name may be given to a new token (its
    /// holder keeps the replicas bound to that name).
    func createToken(_ principal: Principal, hash: String) async throws
    func revokeToken(name: String) async throws -> Bool

    // MARK: - The server's own desk (`ServerDesk`)

    /// The desk's replica id, chosen on the first call and kept with the data, and its clock as last kept (nil
    /// before its first write). Every instance over one database gets the same. The id is bound to no token
    /// (`DeskIdentity.owner`), so no replica can push or pull under it.
    func deskIdentity() async throws -> DeskIdentity

    /// Keeps the desk's clock unless the one kept reads later (another instance's desk wrote since), and returns
    /// the clock kept: it never goes back.
    func keepDeskClock(_ clock: HybridLogicalClock) async throws -> HybridLogicalClock

    // MARK: - What operators watch (`GET /metrics`, `plansync-server offices`)

    /// Notes that `replica` synced (a push or a pull answered) at `time`, in milliseconds since 1970, with the
    /// data, so each office's last sync survives a restart. A time earlier than the one noted is ignored. With
    /// `pulled`, the cursor a pull started from (every change up to it is in the replica): what compaction waits
    /// for; a lower one than noted is ignored, and one beyond the latest change counts as the latest. `told` is
    /// the away mark that pull's page carried (`awaySince`): it is cleared, and a mark set since stays.
    func noteSync(replica: ReplicaID, at time: UInt64, pulled: UInt64?, told: UInt64?) async throws

    /// Every live token's holder with the replicas bound to its name and when each last synced.
    func syncActivity() async throws -> [TokenActivity]

    /// What the store holds at the time of the call: records, bytes on disk, open decisions, pending held edits.
    func census() async throws -> StoreCensus

    // MARK: - Compaction (docs/PROTOCOL.md, "Compaction and the retention horizon")

    /// Removes, in one transaction, what `compaction` allows: the contents of deleted records every replica
    /// active within the horizon has pulled at their latest state. Each compacted record takes a new sequence
    /// and goes whole to every puller behind it. Replicas away past the horizon that had not pulled all of it are
    /// marked, to be told at their next pull. With `dryRun`, says what it would remove and changes nothing.
    func compact(_ compaction: Compaction, dryRun: Bool) async throws -> CompactionSummary

    /// When `replica` last synced, if it was away past the horizon when a compaction removed what it had not
    /// pulled, and has not been told since; nil otherwise.
    func awaySince(replica: ReplicaID) async throws -> UInt64?

    /// Throws, saying why, unless the store answers a read now (the server's `/ready`).
    func checkReadable() async throws
}

extension SyncStore {
    public func checkReadable() async throws { _ = try await serverID() }
}

/// The server's own desk as the data keeps it: its replica id, and its hybrid clock once it has written.
public struct DeskIdentity: Sendable, Hashable {
    public var id: ReplicaID
    public var clock: HybridLogicalClock?

    public init(id: ReplicaID, clock: HybridLogicalClock?) {
        self.id = id
        self.clock = clock
    }

    /// The owner the desk's id is bound to in the replica bindings: a name no token can have (token names are not
    /// empty), so a push or pull naming the id is refused as another token's replica.
    static let owner = ""

    /// The meta keys both stores keep them under.
    static let idKey = "desk_id"
    static let clockKey = "desk_clock"

    /// The later of two clocks of one desk.
    static func later(_ kept: HybridLogicalClock?, _ clock: HybridLogicalClock) -> HybridLogicalClock {
        guard let kept, (kept.wall, kept.logical) > (clock.wall, clock.logical) else { return clock }
        return kept
    }

    /// A kept clock, from its JSON; nil for none (or an empty value, a row taken before the first write).
    static func decodeClock(_ text: String?) throws -> HybridLogicalClock? {
        guard let text, !text.isEmpty else { return nil }
        return try JSONDecoder().decode(HybridLogicalClock.self, from: Data(text.utf8))
    }
}

/// One run of a server over its data: positions in the history are `(epoch, sequence)`.
public struct Epoch: Sendable, Hashable {
    public var id: String
    /// The highest sequence the data held when the epoch opened.
    public var startedAt: UInt64
}

/// A page of changes, already encoded: the stored JSON of each record is copied, not re-encoded.
public struct PullPage: Sendable {
    /// The page's JSON, as UTF-8: stored text put together, never decoded or checked again on its way out.
    public var json: [UInt8]
    public var count: Int
    public var cursor: UInt64
    /// Whether more changes follow the page.
    public var more: Bool
}
