import Foundation
import PlanSyncClient
import PlanSyncCore
import PlanSyncReplica

/// The pieces of a benchmark as commands of their own: the run starts this executable again as a server or
/// as a syncing client (to measure that process alone), and a profiler can run one piece under it:
///
///     plansync-bench prepare --data D --records 5000     # prints an admin token
///     plansync-bench serve --data D &                    # prints its port
///     valgrind --tool=callgrind plansync-bench sync-once --replica R --server URL --token T
public enum BenchmarkRoles {
    /// `plansync-bench serve --data DIR`: the sync server on a free loopback port until SIGTERM.
    public static func serve(data: String) async throws {
        try await LoopbackServer.serve(data: data)
    }

    /// `plansync-bench prepare`: a data folder seeded like a new server's and loaded with `records` generated
    /// records; prints a new admin token.
    public static func prepare(data: String, records: Int) async throws {
        let folder = try ServerData(directory: data)
        var plans = GeneratedPlans(plan: "bench-prepared", seed: 5, now: Replica.wallClock())
        _ = try await folder.load(records, from: &plans)
        print(try await folder.token(for: Principal(name: "bench-\(UUID().uuidString.prefix(8))", role: .admin)))
    }

    /// `plansync-bench sync-once`: creates the replica (or reopens it, for the same server), syncs it once,
    /// and prints the time and the process's peak memory as JSON.
    public static func syncOnce(replica: String, server: String, token: String) async throws {
        try await SyncOnce.run(replica: replica, server: server, token: token)
    }

    /// `plansync-bench offices`: replicas `first..<first + count` of a many-replicas run (see `ManyReplicas`).
    public static func offices(plan: String, first: Int, count: Int) async throws {
        try await Offices.run(plan: plan, first: first, count: count)
    }

    /// `plansync-bench edit-offline`: makes `edits` offline edits (the offline-push mix), one per generated
    /// record, a hundred per transaction; prints how long they took.
    public static func editOffline(replica path: String, edits: Int) async throws {
        let replica = try Replica.open(at: path)
        let ids = try await replica.records().map(\.id).filter { $0.hasPrefix("bench-") }.prefix(edits)
        var random = SplitMix64(seed: 22)
        let all = ids.enumerated().map { index, id in (id: id, edit: OfflineWork.edit(index, using: &random)) }
        let ((), seconds) = try await timed {
            for start in stride(from: 0, to: all.count, by: 100) {
                try await replica.edit(Array(all[start..<min(start + 100, all.count)]))
            }
        }
        print("\(all.count) edits in \(seconds.shown) s")
    }
}

/// One sync of a replica in this process, measured: what `sync-once` prints.
enum SyncOnce {
    struct Result: Codable {
        var seconds: Double
        /// When the last page was applied; the rest of `seconds` is the sync's closing work.
        var pullSeconds: Double
        var pushed: Int
        var pulled: Int
        var roundTrips: Int
        var peakMemory: Int
    }

    static func run(replica path: String, server: String, token: String) async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let lastPage = Locked(start)
        let transport = HTTPTransport(baseURL: server, token: token)
        let session = try await transport.session()
        let replica = try Replica.create(at: path, serverURL: server, token: token, session: session)
        let synced = try HTTPTransport(for: try await replica.identity())
        let report = try await SyncSession(replica: replica, transport: synced).run { progress in
            if progress.phase == .pull { lastPage.withLock { $0 = clock.now } }
        }
        let seconds = (clock.now - start).seconds
        let result = Result(
            seconds: seconds, pullSeconds: (lastPage.withLock { $0 } - start).seconds, pushed: report.pushed,
            pulled: report.pulled, roundTrips: report.roundTrips, peakMemory: ProcessMemory.peak() ?? 0)
        print(try WireJSON.string(result))
    }
}
