import Foundation
import PlanSyncClient
import PlanSyncCore
import PlanSyncReplica
import PlanSyncTestSupport
import Synchronization
import Testing

/// A slow link over the real transport to a real server: each request takes a round trip plus its bytes at
/// `bytesPerSecond` (slept after the real exchange, which is fast on loopback). With `dropsAfter`, a request that
/// would take longer is cut then: the server got it (a push is committed) but the answer is lost, as when a
/// 2G line drops every few seconds. It notes the records of every push (and whether it was cut) and the limit of
/// every pull it is asked.
final class ThrottledTransport: SyncTransport {
    let inner: HTTPTransport
    let bytesPerSecond: Double
    let roundTrip: Duration
    let dropsAfter: Duration?
    let pushes = Mutex<[(records: Int, cut: Bool)]>([])
    let pulls = Mutex<[Int]>([])
    let drops = Mutex(0)

    var pushSizes: [Int] { pushes.withLock { $0.map(\.records) } }

    init(_ inner: HTTPTransport, bytesPerSecond: Double, roundTrip: Duration, dropsAfter: Duration? = nil) {
        self.inner = inner
        self.bytesPerSecond = bytesPerSecond
        self.roundTrip = roundTrip
        self.dropsAfter = dropsAfter
    }

    var counted: Traffic? { inner.traffic }

    func register(_ registration: KeyRegistration) async throws { try await inner.register(registration) }
    func relay(_ section: SignedSection, history: HistoryPosition?) async throws -> PushResponse {
        try await inner.relay(section, history: history)
    }

    func session() async throws -> SessionInfo { try await inner.session() }

    func push(_ request: PushRequest, history: HistoryPosition?) async throws -> PushResponse {
        let before = moved
        let response = try await inner.push(request, history: history)
        do {
            try await pace(moved - before)
        } catch {
            pushes.withLock { $0.append((request.records.count, true)) }
            throw error
        }
        pushes.withLock { $0.append((request.records.count, false)) }
        return response
    }

    func pull(since: UInt64, limit: Int, replica: ReplicaID, history: HistoryPosition?) async throws -> PullResponse {
        pulls.withLock { $0.append(limit) }
        let before = moved
        let page = try await inner.pull(since: since, limit: limit, replica: replica, history: history)
        try await pace(moved - before)
        return page
    }

    private var moved: Int { inner.traffic.sent + inner.traffic.received }

    private func pace(_ bytes: Int) async throws {
        let duration = roundTrip + .milliseconds(Int64(Double(bytes) / bytesPerSecond * 1000))
        if let dropsAfter, duration > dropsAfter {
            try await Task.sleep(for: dropsAfter)
            drops.withLock { $0 += 1 }
            throw SyncError(.unreachable, "the connection was closed mid-transfer", dropped: true)
        }
        try await Task.sleep(for: duration)
    }
}

@Suite("Slow and dropping links", .serialized)
struct BadLinkTests {
    /// A replica that synced once with `count` new records queued offline, and another replica beside it.
    static func world(_ count: Int) async throws -> (Cluster, Replica, other: String) {
        let cluster = try Cluster()
        let path = try cluster.replica("central")
        try cluster.sync(path)
        let other = try cluster.replica("dakar")
        try cluster.sync(other)
        let replica = try Replica.open(at: path)
        try await replica.create(
            (1...count).map { index in
                NewRecord(
                    id: "iasc-protection-policy/D.3/\(index + 1)", collection: "related",
                    values: [
                        .init("plan", "iasc-protection-policy"), .init("activity", "iasc-protection-policy/D.3"),
                        .init("title", "Follow-up \(index) on finding \(index * 7919 % 10_007) of the mid-term review"),
                    ])
            })
        return (cluster, replica, other)
    }

    static func session(_ replica: Replica, _ transport: any SyncTransport, target: Duration) -> SyncSession {
        var session = SyncSession(replica: replica, transport: transport)
        session.requestTarget = target
        session.retry = RetryPolicy(delays: [.milliseconds(10), .milliseconds(10), .milliseconds(10)])
        return session
    }

    static func http(_ replica: Replica) async throws -> HTTPTransport {
        let identity = try await replica.identity()
        return HTTPTransport(baseURL: identity.serverURL, token: identity.token)
    }

    /// Loopback against a target of ten minutes a request: a link far faster than the target, whatever else
    /// the machine runs (a loaded machine once took 15 s for the first batch of 50).
    @Test func aFastLinkGrowsBatchesToTheServersLimit() async throws {
        let (cluster, replica, other) = try await Self.world(3_100)
        let link = ThrottledTransport(try await Self.http(replica), bytesPerSecond: 1e12, roundTrip: .zero)
        let report = try await Self.session(replica, link, target: .seconds(600)).run()
        let pushes = link.pushSizes
        print("fast link: push batches \(pushes)")
        #expect(Array(pushes.prefix(2)) == [50, 200], "\(pushes)")
        #expect(pushes.max() == 2_000, "\(pushes)")
        #expect(report.pushed == 3_100)
        #expect(try await replica.pendingCount() == 0)
        try cluster.sync(other)
        #expect(try cluster.dump(other) == cluster.dump(replica.path))
    }

    /// Both ways over slow links with 50 ms round trips, for requests of 0.5 s: batches and pages shrink from
    /// their first size, and every record arrives. (A batch of new records compresses to some 30 bytes a record,
    /// a pulled record whole to some 500: the push link is slower, to be slow for both.)
    @Test func aSlowLinkShrinksBatchesAndPagesAndLosesNothing() async throws {
        let (cluster, replica, other) = try await Self.world(200)
        let link = ThrottledTransport(try await Self.http(replica), bytesPerSecond: 2_000, roundTrip: .milliseconds(50))
        let report = try await Self.session(replica, link, target: .milliseconds(500)).run()
        let pushes = link.pushSizes
        print("slow link: push batches \(pushes)")
        #expect(pushes.first == 50)
        #expect(pushes.dropFirst().allSatisfy { $0 < 50 }, "\(pushes)")
        #expect(report.pushed == 200 && report.retries == 0)
        #expect(try await replica.pendingCount() == 0)

        let office = try Replica.open(at: other)
        let pulling = ThrottledTransport(
            try await Self.http(office), bytesPerSecond: 16_000, roundTrip: .milliseconds(50))
        let pulled = try await Self.session(office, pulling, target: .milliseconds(500)).run()
        let pulls = pulling.pulls.withLock { $0 }
        print("slow link: pull limits \(pulls)")
        #expect(pulls.first == 100)
        #expect(pulls.dropFirst().allSatisfy { $0 < 100 }, "\(pulls)")
        #expect(pulled.pulled == 200)
        #expect(try cluster.dump(other) == cluster.dump(replica.path))
    }

    /// A link that cuts every request running past 0.6 s, after the server committed it (the answer is lost):
    /// the cut batch is sent again as its first half, the replay changes nothing, and the one sync completes
    /// with every edit pushed.
    @Test func aDroppingLinkHalvesTheCutBatchAndTheSyncCompletes() async throws {
        let (cluster, replica, other) = try await Self.world(300)
        let link = ThrottledTransport(
            try await Self.http(replica), bytesPerSecond: 2_000, roundTrip: .milliseconds(50),
            dropsAfter: .milliseconds(600))
        let report = try await Self.session(replica, link, target: .seconds(2)).run()
        let pushes = link.pushes.withLock { $0 }
        print("dropping link: push batches \(pushes.map { $0.cut ? "\($0.records) (cut)" : "\($0.records)" })")
        let cuts = pushes.filter(\.cut).count
        #expect(cuts > 0 && report.retries == cuts)
        for (index, push) in pushes.enumerated().dropLast() where push.cut {
            #expect(pushes[index + 1].records == max(1, push.records / 2), "\(pushes)")
        }
        #expect(report.pushed == 300)
        #expect(try await replica.pendingCount() == 0)
        try cluster.sync(other)
        #expect(try cluster.dump(other) == cluster.dump(replica.path))
    }
}
