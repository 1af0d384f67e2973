import PlanSyncCore
import PlanSyncPages
import PlanSyncWorkflows

/// Where the pages run on the server: a token signs in while the store knows it (a revoked one ends its
/// sessions at their next request), and a person reads and writes at the server's own desk.
public struct ServerPageHost: PageHost {
    let store: any SyncStore
    let workspaces: @Sendable (Principal) async throws -> any Workspace

    /// `workspace` gives the signed-in person's workspace: the server's desk, writing for them.
    public init(store: any SyncStore, workspace: @escaping @Sendable (Principal) async throws -> any Workspace) {
        self.store = store
        workspaces = workspace
    }

    public func principal(token: String) async throws -> Principal? {
        try await store.principal(tokenHash: TokenHash.hash(token))
    }

    public func workspace(for principal: Principal) async throws -> any Workspace {
        try await workspaces(principal)
    }

    /// The server syncs with no one: its pages have no "Sync now".
    public var sync: (@Sendable () async throws -> String)? { nil }
}
