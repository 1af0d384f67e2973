import Foundation
import PlanSyncClient
import PlanSyncCore
import PlanSyncReplica
import PlanSyncTestSupport
import Synchronization
import Testing

/// A transport that loses requests and replies at random: the request never arrives, or it arrives and is
/// committed but the answer is lost — the two ways a 2G link drops mid-transfer.
final class FaultyTransport: SyncTransport {
    let inner: HTTPTransport
    let rng: Mutex<SeededGenerator>
    let failures = Mutex(0)

    init(_ inner: HTTPTransport, seed: UInt64) {
        self.inner = inner
        self.rng = Mutex(SeededGenerator(seed: seed))
    }

    var counted: Traffic? { inner.traffic }

    func register(_ registration: KeyRegistration) async throws { try await inner.register(registration) }
    func relay(_ section: SignedSection, history: HistoryPosition?) async throws -> PushResponse {
        try await inner.relay(section, history: history)
    }

    func session() async throws -> SessionInfo { try await inner.session() }

    func push(_ request: PushRequest, history: HistoryPosition?) async throws -> PushResponse {
        try await faulty { try await inner.push(request, history: history) }
    }

    func pull(since: UInt64, limit: Int, replica: ReplicaID, history: HistoryPosition?) async throws -> PullResponse {
        try await faulty { try await inner.pull(since: since, limit: limit, replica: replica, history: history) }
    }

    private func faulty<T>(_ call: () async throws -> T) async throws -> T {
        let roll = rng.withLock { Int.random(in: 0..<10, using: &$0) }
        if roll < 3 {
            failures.withLock { $0 += 1 }
            throw SyncError(.unreachable, "injected: request lost")
        }
        let result = try await call()
        if roll < 6 {
            failures.withLock { $0 += 1 }
            throw SyncError(.unreachable, "injected: reply lost")
        }
        return result
    }
}

@Suite("Cut connections and crashes", .serialized)
struct FaultInjectionTests {
    static let records = (1...6).map { "iasc-protection-policy/B.1/\($0)" }

    @Test(arguments: [UInt64(1), 2, 3])
    func syncsCutAtRandomPointsLoseNothingAndApplyNothingTwice(seed: UInt64) async throws {
        let cluster = try Cluster()
        let names = ["amman", "dakar", "bogota"]
        var replicas: [Replica] = []
        for name in names {
            let path = try cluster.replica(name)
            try cluster.sync(path)
            replicas.append(try Replica.open(at: path))
        }
        // Offline: every replica rewrites each comment a few times (only its last value is its own word) and
        // adds a focal point of its own.
        for (index, replica) in replicas.enumerated() {
            for id in Self.records {
                for version in 1...3 {
                    try await replica.edit(id, .set(field: "comment", value: "\(names[index]) v\(version)"))
                }
                try await replica.edit(id, .add(field: "focal_points", element: "Office \(names[index])"))
            }
        }

        var rng = SeededGenerator(seed: seed)
        var failures = 0
        for round in 0..<2 {
            for index in replicas.indices.shuffled(using: &rng) {
                let identity = try await replicas[index].identity()
                let transport = FaultyTransport(
                    HTTPTransport(baseURL: identity.serverURL, token: identity.token),
                    seed: seed &* 7 &+ UInt64(index + round))
                var session = SyncSession(replica: replicas[index], transport: transport)
                session.pushBatch = 2
                session.pullPage = 5
                var attempts = 0
                while true {
                    attempts += 1
                    do {
                        _ = try await session.run()
                        break
                    } catch is SyncError {
                        #expect(attempts < 200, "sync never completed")
                        if attempts >= 200 { return }
                    }
                }
                failures += transport.failures.withLock { $0 }
            }
        }
        #expect(failures > 0, "no fault was injected")
        for replica in replicas {
            _ = try await SyncSession(
                replica: replica,
                transport: HTTPTransport(
                    baseURL: try await replica.identity().serverURL, token: try await replica.identity().token)
            ).run()
        }

        var dumps: [String] = []
        for replica in replicas { dumps.append(try await replica.dump()) }
        #expect(Set(dumps).count == 1, "replicas disagree")
        for id in Self.records {
            let state = try #require(try await replicas[0].record(id))
            #expect(Set(state.conflict(of: "comment")) == Set(names.map { "\($0) v3" }), "\(id): a write was lost")
            #expect(state.fields["comment"]?.count == 3, "\(id): a write was applied twice")
            let elements = state.fields["focal_points"]?.map(\.value) ?? []
            for name in names { #expect(elements.filter { $0 == "Office \(name)" }.count == 1) }
        }
        for replica in replicas { #expect(try await replica.pendingCount() == 0) }
    }
}

extension FaultInjectionTests {
    /// The server is killed with SIGKILL while a replica pushes thousands of records; after a restart the same
    /// command completes, and every record the server acknowledged — and every other one — is there once.
    @Test func serverKilledMidPushResumesWithNothingLost() async throws {
        let cluster = try Cluster()
        let path = try cluster.replica("central")
        try cluster.sync(path)
        let replica = try Replica.open(at: path)
        let bundled = try await replica.records().count
        let count = 6_000
        try await replica.create(
            (1...count).map { index in
                NewRecord(
                    id: "iasc-protection-policy/D.3/\(index + 1)", collection: "related",
                    values: [
                        .init("plan", "iasc-protection-policy"), .init("activity", "iasc-protection-policy/D.3"),
                        .init("title", "Follow-up \(index): " + String(repeating: "evaluation finding ", count: 20)),
                    ])
            })
        let http = RawHTTP(base: cluster.server.url)
        let admin = try cluster.server.token(name: "watcher", role: "admin")
        let seeded = try await http.latest(token: admin)

        let sync = Process()
        sync.executableURL = URL(fileURLWithPath: Binaries.path("plansync"))
        sync.arguments = ["sync", "--replica", path]
        let errors = Pipe()
        sync.standardError = errors
        sync.standardOutput = FileHandle.nullDevice
        try sync.run()
        // Kill the server as soon as it has committed a first batch, while the rest is in flight.
        let deadline = Date().addingTimeInterval(60)
        while try await http.latest(token: admin) == seeded, Date() < deadline {
            try await Task.sleep(for: .milliseconds(2))
        }
        cluster.server.stop(signal: SIGKILL)
        let status = waitForExit(sync)
        let message = String(decoding: errors.readAllAndClose(), as: UTF8.self)
        #expect(status != 0, "the push finished before the kill; nothing was tested")
        #expect(message.contains("nothing was lost"), "\(message)")
        let acknowledged = count - (try await replica.pendingCount())

        let restarted = try ServerProcess.start(data: cluster.server.data, port: cluster.server.port)
        defer { restarted.stop() }
        #expect(try await RawHTTP(base: restarted.url).latest(token: admin) >= seeded + acknowledged)
        try cluster.sync(path)
        #expect(try await replica.pendingCount() == 0)

        let fresh = cluster.directory.file("fresh.sqlite")
        try expectSuccess(
            run(
                "plansync",
                [
                    "init", "--replica", fresh, "--server", restarted.url, "--token",
                    try restarted.token(name: "fresh", role: "viewer"),
                ]))
        try cluster.sync(fresh)
        #expect(try cluster.dump(fresh) == cluster.dump(path))
        let records = try await Replica.open(at: fresh).records()
        #expect(records.count == bundled + count)
    }
}
