import Foundation
import Logging
import PlanSyncCore
import PlanSyncWorkflows
import Synchronization

/// The server's own desk: where the server's pages read and write for the person signed in to them.
///
/// The desk is a replica of the server's own: an id of its own and a hybrid clock, both kept in the store (so
/// they survive restarts, and every instance over one database shares them), writing on behalf of a person —
/// checked by the core's access rule for that person's role, stored through the same verified push as
/// `POST /v1/push`, with the person's name as author. It reads from a mirror of the store fed by the store's own
/// change feed, caught up before each read. Its id is bound to no token, and no feed skips its writes.
///
/// Make one per server process and share it: it holds the mirror, and makes that process's writes one at a time.
public final class ServerDesk: Sendable {
    public let store: any SyncStore
    public let schema: Schema
    let logger: Logger
    /// The server's wall clock in milliseconds since 1970.
    let wallClock: @Sendable () -> UInt64
    /// The records, as the feed last brought them. Guarded by the mutex; changed only in `catchingUp`'s turns.
    private let mirror = Mutex(DeskMirror())
    /// The desk's id and clock once read from the store. Guarded by the mutex; the clock changes only in
    /// `writing`'s turns.
    private let identity = Mutex<DeskIdentity?>(nil)
    private let catchingUp = Turns()
    /// Desk writes of this instance, one at a time; those of other instances are caught by the push (see `write`).
    let writing = Turns()

    /// How many times a write is tried when other instances' desks keep writing its records meanwhile, with a
    /// random pause growing between tries (under 4 s in all).
    static let attempts = 12
    /// Changes read from the feed in one page.
    static let pageSize = 2_000
    /// Who reads the feed for the mirror: everything, as the central team does.
    static let reader = Principal(name: "the server's desk", role: .admin)

    public convenience init(store: any SyncStore, schema: Schema = .planSync, logger: Logger) {
        self.init(store: store, schema: schema, logger: logger, wallClock: { SyncServer.now() })
    }

    init(store: any SyncStore, schema: Schema, logger: Logger, wallClock: @escaping @Sendable () -> UInt64) {
        self.store = store
        self.schema = schema
        self.logger = logger
        self.wallClock = wallClock
    }

    /// The workspace where `principal` (the signed-in person) reads and writes through the server, for one
    /// visit (a page's request): the mirror is caught up once here, its reads then read the mirror as it is, and
    /// each write catches it up again.
    public func workspace(for principal: Principal) async throws -> any Workspace {
        try await catchUp()
        return DeskWorkspace(desk: self, person: principal)
    }

    /// The desk's replica id, the author replica of every write made through the pages.
    public func id() async throws -> ReplicaID {
        try await loadedIdentity().id
    }

    // MARK: - Reading

    /// Brings the mirror up to the store's latest change: one small page when nothing changed.
    func catchUp() async throws {
        try await catchingUp.run {
            while true {
                let since = self.mirror.withLock { $0.cursor }
                let json = try await self.store.pull(
                    since: since, limit: Self.pageSize, for: Self.reader, replica: nil, deltas: false, extra: ""
                ).json
                let page = try json.withUnsafeBufferPointer { try RecordJSON.decodePull($0) }
                let taken = self.mirror.withLock { $0.take(page, from: since, schema: self.schema) }
                guard taken, page.more else { return }
            }
        }
    }

    /// What `read` makes of the mirror, read after catching up.
    func read<Result: Sendable>(_ read: (DeskMirror) -> Result) async throws -> Result {
        try await catchUp()
        return look(read)
    }

    /// What `look` makes of the mirror as it is now, without asking the store.
    func look<Result: Sendable>(_ look: (DeskMirror) -> Result) -> Result {
        mirror.withLock { look($0) }
    }

    /// The desk's clock as last kept in the store, once read.
    func keptClock() -> HybridLogicalClock? {
        identity.withLock { $0?.clock }
    }

    /// Notes the clock the store keeps now.
    func keep(_ clock: HybridLogicalClock) {
        identity.withLock { $0?.clock = clock }
    }

    private func loadedIdentity() async throws -> DeskIdentity {
        if let known = identity.withLock({ $0 }) { return known }
        let loaded = try await store.deskIdentity()
        return identity.withLock { known in
            if let known { return known }
            known = loaded
            return loaded
        }
    }
}

/// What a desk write did.
public struct DeskWrite: Sendable, Hashable {
    /// Reports whose edit was held for the central team (their office's period is approved), not applied.
    public var held: [String]
    /// Records whose stored state changed.
    public var changed: Int
}
