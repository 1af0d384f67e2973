import PlanSyncCore
import PlanSyncPages
import PlanSyncWorkflows

/// Where the pages run on the server: a token signs in while the store knows it (a revoked one ends its
/// sessions at their next request), and a person reads and writes at the server's own desk, which writes for
/// them.
public struct ServerPageHost: PageHost {
    let store: any SyncStore
    let desk: ServerDesk

    public init(store: any SyncStore, desk: ServerDesk) {
        self.store = store
        self.desk = desk
    }

    public func principal(token: String) async throws -> Principal? {
        try await store.principal(tokenHash: TokenHash.hash(token))
    }

    public func workspace(for principal: Principal) async throws -> any Workspace {
        try await desk.workspace(for: principal)
    }

    /// The server syncs with no one: its pages have no "Sync now".
    public var sync: (@Sendable () async throws -> String)? { nil }
}
