import Foundation
import PlanSyncClient
import PlanSyncCore
import PlanSyncReplica
import PlanSyncTestSupport
import Synchronization
import Testing

/// A link that drops mid-transfer: the first requests reach the server (a push is committed) but their answers
/// never arrive, as on a 2G line that cuts out.
final class DroppingTransport: SyncTransport {
    let inner: HTTPTransport
    let drops = Mutex(0)

    init(_ inner: HTTPTransport, drops: Int) {
        self.inner = inner
        self.drops.withLock { $0 = drops }
    }

    var counted: Traffic? { inner.traffic }

    func register(_ registration: KeyRegistration) async throws { try await inner.register(registration) }
    func relay(_ section: SignedSection, history: HistoryPosition?) async throws -> PushResponse {
        try await inner.relay(section, history: history)
    }

    func session() async throws -> SessionInfo { try await inner.session() }

    func push(_ request: PushRequest, history: HistoryPosition?) async throws -> PushResponse {
        let response = try await inner.push(request, history: history)
        try drop()
        return response
    }

    func pull(since: UInt64, limit: Int, replica: ReplicaID, history: HistoryPosition?) async throws -> PullResponse {
        let page = try await inner.pull(since: since, limit: limit, replica: replica, history: history)
        try drop()
        return page
    }

    private func drop() throws {
        let dropping = drops.withLock { count in
            defer { count = max(0, count - 1) }
            return count > 0
        }
        if dropping { throw SyncError(.unreachable, "the connection was closed mid-transfer", dropped: true) }
    }
}

@Suite("Dropped connections")
struct RetryTests {
    @Test func oneSyncRetriesDroppedRequestsAndLosesNothing() async throws {
        let cluster = try Cluster()
        let path = try cluster.replica("amman")
        try cluster.sync(path)
        let replica = try Replica.open(at: path)
        let id = "iasc-protection-policy/A.1/1"
        try await replica.edit(id, .set(field: "comment", value: "sent over a line that drops"))
        let identity = try await replica.identity()
        var session = SyncSession(
            replica: replica,
            transport: DroppingTransport(HTTPTransport(baseURL: identity.serverURL, token: identity.token), drops: 3))
        session.retry = RetryPolicy(delays: [.milliseconds(10), .milliseconds(10), .milliseconds(10)])
        let report = try await session.run()
        #expect(report.retries == 3)
        #expect(try await replica.pendingCount() == 0)
        let other = try cluster.replica("dakar")
        try cluster.sync(other)
        #expect(try cluster.plansync(other, "show", id).stdout.contains("sent over a line that drops"))

        // More drops than retries: the sync gives up with the dropped connection, and nothing is lost.
        try await replica.edit(id, .set(field: "comment", value: "second"))
        session = SyncSession(
            replica: replica,
            transport: DroppingTransport(HTTPTransport(baseURL: identity.serverURL, token: identity.token), drops: 10))
        session.retry = RetryPolicy(delays: [.milliseconds(10)])
        await #expect(throws: SyncError.self) { _ = try await session.run() }
        #expect(try await replica.pendingCount() == 1)
        try cluster.sync(path)
        #expect(try await replica.pendingCount() == 0)
    }
}
