import PlanSyncCore
import PlanSyncWorkflows

/// What the pages need of where they run: the server (over its store, for the central team) or `plansync ui`
/// (over one field replica, offline).
public protocol PageHost: Sendable {
    /// The person a token names (nil: unknown or revoked). Asked again on every request of a session, so a
    /// revoked token ends the sessions it opened.
    func principal(token: String) async throws -> Principal?

    /// Where that person reads and writes.
    func workspace(for principal: Principal) async throws -> any Workspace

    /// "Sync now": one sync of the field replica, answering its one-line summary; nil where the pages run on
    /// the server.
    var sync: (@Sendable () async throws -> String)? { get }
}
