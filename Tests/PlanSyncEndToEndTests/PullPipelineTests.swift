import Foundation
import NIOHTTP1
import PlanSyncClient
import PlanSyncCore
import PlanSyncReplica
import PlanSyncTestSupport
import Synchronization
import Testing

/// The real transport to a real server, with what a pull's answer says of the next page changed on the way:
/// left out (a server that does not say), or moved one change on from what the page says. The transport notes,
/// in order, when each page is asked for (with the cursor the replica had stored then) and when each is read.
/// Reading a page whose answer said where the next starts lasts until that next page is asked for, as reading a
/// large page lasts long enough for it; a sync that asks for it only after the read makes that wait run out
/// (`patience`), once: later reads do not wait.
final class PageHeaderTransport: SyncTransport {
    enum Change { case none, leftOut, moved(page: Int) }
    enum Event: Equatable {
        case asked(since: UInt64, stored: UInt64)
        case read(since: UInt64)
    }

    let inner: HTTPTransport
    let replica: Replica
    let change: Change
    let events = Mutex<[Event]>([])
    /// How long a read waits for the next page to be asked for.
    static let patience = Duration.seconds(20)
    private let waitedInVain = Mutex(false)

    init(_ inner: HTTPTransport, replica: Replica, change: Change) {
        self.inner = inner
        self.replica = replica
        self.change = change
    }

    /// The pages asked for, in order: each one's `since`, and the cursor the replica had stored then.
    var asked: [(since: UInt64, stored: UInt64)] {
        events.withLock { events in
            events.compactMap { if case .asked(let since, let stored) = $0 { (since, stored) } else { nil } }
        }
    }

    var counted: Traffic? { inner.traffic }
    func session() async throws -> SessionInfo { try await inner.session() }
    func push(_ request: PushRequest, history: HistoryPosition?) async throws -> PushResponse {
        try await inner.push(request, history: history)
    }
    func register(_ registration: KeyRegistration) async throws { try await inner.register(registration) }
    func relay(_ section: SignedSection, history: HistoryPosition?) async throws -> PushResponse {
        try await inner.relay(section, history: history)
    }

    func pull(since: UInt64, limit: Int, replica: ReplicaID, history: HistoryPosition?) async throws -> PullResponse {
        try await receive(since: since, limit: limit, replica: replica, history: history).read()
    }

    func receive(since: UInt64, limit: Int, replica id: ReplicaID, history: HistoryPosition?) async throws
        -> ReceivedPage
    {
        let stored = try await replica.cursor()
        let index = events.withLock { events in
            events.append(.asked(since: since, stored: stored))
            return events.count { if case .asked = $0 { true } else { false } }
        }
        let received = try await inner.receive(since: since, limit: limit, replica: id, history: history)
        var next = received.next
        switch change {
        case .none: break
        case .leftOut: next = nil
        case .moved(let page):
            if index == page, let said = next { next = HistoryPosition(epoch: said.epoch, seq: said.seq + 1) }
        }
        let said = next
        return ReceivedPage(next: said) {
            if let said { try await self.waitUntilAsked(since: said.seq) }
            let page = try await received.read()
            self.events.withLock { $0.append(.read(since: since)) }
            return page
        }
    }

    private func waitUntilAsked(since: UInt64) async throws {
        let deadline = ContinuousClock.now + Self.patience
        while !waitedInVain.withLock({ $0 }) {
            let asked = events.withLock { events in
                events.contains { if case .asked(since, _) = $0 { true } else { false } }
            }
            if asked { return }
            if ContinuousClock.now > deadline {
                waitedInVain.withLock { $0 = true }
                return
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}

@Suite("Pulling the next page while one is stored", .serialized)
struct PullPipelineTests {
    /// A new replica's first sync, which pulls the server's bundled content in pages of `page` records, through
    /// `change`.
    static func firstSync(
        _ name: String, in cluster: Cluster, page: Int, change: PageHeaderTransport.Change
    ) async throws -> (Replica, PageHeaderTransport, Result<SyncReport, any Error>) {
        let token = try cluster.server.token(name: name, role: "viewer")
        let http = HTTPTransport(baseURL: cluster.server.url, token: token)
        let replica = try Replica.create(
            at: cluster.directory.file("\(name).sqlite"), serverURL: cluster.server.url, token: token,
            session: try await http.session())
        let transport = PageHeaderTransport(http, replica: replica, change: change)
        var session = SyncSession(replica: replica, transport: transport)
        session.pullPage = page
        let report = await Result(catching: { try await session.run() })
        return (replica, transport, report)
    }

    @Test func theAnswerSaysWhereTheNextPageStartsAndTheLastSaysNothing() async throws {
        let cluster = try Cluster()
        let token = try cluster.server.token(name: "reader", role: "viewer")
        let http = RawHTTP(base: cluster.server.url)
        let first = try await http.exchange(.GET, "/v1/pull?since=0&limit=5", token: token)
        #expect(first.status == 200)
        let page = try json(first.body) as! [String: Any]
        #expect(page["more"] as? Bool == true)
        let expected = "\(page["epoch"] as! String):\(page["cursor"] as! Int)"
        #expect(first.headers.first(name: PullResponse.nextHeader) == expected)

        let latest = page["latest"] as! Int
        let last = try await http.exchange(.GET, "/v1/pull?since=\(latest - 1)&limit=5", token: token)
        #expect((try json(last.body) as! [String: Any])["more"] as? Bool == false)
        #expect(last.headers.first(name: PullResponse.nextHeader) == nil)
    }

    @Test func withTheHeaderEachPageIsAskedForWhileTheOneBeforeIsRead() async throws {
        let cluster = try Cluster()
        let (replica, transport, report) = try await Self.firstSync("amman", in: cluster, page: 7, change: .none)
        let sync = try report.get()
        let asked = transport.asked
        #expect(asked.count > 10)
        // Each page after the first was asked for while the one before it was read: as soon as its answer came.
        let events = transport.events.withLock { $0 }
        for (before, page) in zip(asked, asked.dropFirst()) {
            let askedAt = events.firstIndex(of: .asked(since: page.since, stored: page.stored))!
            let readAt = events.firstIndex(of: .read(since: before.since))!
            #expect(askedAt < readAt, "page after \(page.since) asked for only once the one before was read")
        }
        // Never more than three pages asked for and not stored: those starting at or after the stored cursor.
        for (index, page) in asked.enumerated() {
            #expect(asked[...index].filter { $0.since >= page.stored }.count <= 3)
        }

        let (again, plain, plainReport) = try await Self.firstSync("dakar", in: cluster, page: 7, change: .leftOut)
        let plainSync = try plainReport.get()
        // Without the header, each page is asked for once the one before is read, and before it is stored.
        let plainEvents = plain.events.withLock { $0 }
        for (before, page) in zip(plain.asked, plain.asked.dropFirst()) {
            let askedAt = plainEvents.firstIndex(of: .asked(since: page.since, stored: page.stored))!
            #expect(askedAt > plainEvents.firstIndex(of: .read(since: before.since))!)
            // Only the page before it may still be unstored then.
            #expect(page.stored >= before.since)
        }
        #expect(plain.asked.count == asked.count)
        #expect(plainSync.roundTrips == sync.roundTrips)
        #expect(plainSync.pulled == sync.pulled)
        #expect(try await again.dump() == (try await replica.dump()))
        #expect(try await again.cursor() == (try await replica.cursor()))
    }

    @Test func aPageThatEndsElsewhereThanItsHeaderSaidIsRefusedUnstored() async throws {
        let cluster = try Cluster()
        let (replica, transport, report) = try await Self.firstSync(
            "amman", in: cluster, page: 7, change: .moved(page: 2))
        #expect(throws: SyncError.self) { try report.get() }
        let error = try #require(report.failure as? SyncError)
        #expect(error.kind == .server)
        #expect(error.description.contains(PullResponse.nextHeader))
        // The first page is stored; the second, which ends elsewhere than its header said, is not, nor is the
        // page asked for where the header said.
        let asked = transport.asked
        #expect(asked.count >= 2)
        #expect(try await replica.cursor() == asked[1].since)
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }

    var failure: (any Error)? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
