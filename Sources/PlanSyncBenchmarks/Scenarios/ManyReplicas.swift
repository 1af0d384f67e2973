import Foundation
import PlanSyncClient
import PlanSyncCore
import PlanSyncReplica

/// Many field offices editing and syncing at once against one server: throughput, sync latency, and the
/// server's peak memory meanwhile.
///
/// Each replica has its own office token and edits progress fields (`status`, `progress`) of records drawn at
/// random from one shared set, so offices also pull each other's edits and sometimes conflict. Each makes its
/// edits in rounds, syncing after each round; every sync's latency is recorded.
enum ManyReplicas {
    static func run(_ sizes: BenchmarkSizes, in workspace: Workspace, log: BenchmarkLog) async throws -> [ScenarioResult] {
        let data = try ServerData(directory: try workspace.folder("replicas-data"))
        var plans = GeneratedPlans(plan: "bench-shared", seed: 3, now: Replica.wallClock())
        let ids = try await data.load(sizes.sharedRecords, from: &plans)
        var officeTokens: [String] = []
        for index in 0..<sizes.replicas {
            let office = Principal(name: "office-\(index)", role: .office, office: "office-\(index)")
            officeTokens.append(try await data.token(for: office))
        }
        let tokens = officeTokens
        let server = try LoopbackServer.start(data: data.directory, log: workspace.file("replicas-server.log"))
        defer { server.stop() }

        log.step("many replicas: \(sizes.replicas) replicas make their first sync")
        let replicas = try await withThrowingTaskGroup(of: (Int, Replica).self) { group in
            for (index, token) in tokens.enumerated() {
                group.addTask {
                    let transport = HTTPTransport(baseURL: server.url, token: token)
                    let replica = try Replica.create(
                        at: workspace.file("office-\(index).sqlite"), serverURL: server.url, token: token,
                        session: try await transport.session())
                    _ = try await SyncSession(replica: replica, transport: transport).run()
                    return (index, replica)
                }
            }
            var replicas: [(Int, Replica)] = []
            for try await replica in group { replicas.append(replica) }
            return replicas.sorted { $0.0 < $1.0 }.map(\.1)
        }

        log.step("many replicas: \(sizes.replicas) × \(sizes.editsPerReplica) edits, syncing concurrently")
        let resetWorked = server.resetPeakMemory()
        let perRound = max(1, sizes.editsPerReplica / sizes.roundsPerReplica)
        let (latencies, seconds) = try await timed {
            try await withThrowingTaskGroup(of: [Double].self) { group in
                for (index, replica) in replicas.enumerated() {
                    group.addTask {
                        try await work(
                            replica, token: tokens[index], server: server.url, ids: ids, rounds: sizes.roundsPerReplica,
                            editsPerRound: perRound, seed: UInt64(index))
                    }
                }
                var all: [Double] = []
                for try await latencies in group { all += latencies }
                return all
            }
        }
        let serverPeak = server.peakMemory ?? 0
        let edits = sizes.replicas * sizes.roundsPerReplica * perRound
        let rate = Double(edits) / seconds
        let throughput = ScenarioResult(
            name: "many replicas",
            figures: [
                Figure(
                    "edits synced per second", rate, "edits/s",
                    note: "\(sizes.replicas) replicas × \(sizes.roundsPerReplica) rounds of \(perRound) edits and a sync, "
                        + "\(latencies.count) syncs in \(BenchmarkReport.format(seconds)) s on \(ids.count) shared records"),
                Figure("sync latency p50", latencies.quantile(0.5), "ms"),
                Figure("sync latency p99", latencies.quantile(0.99), "ms"),
            ],
            details: [
                "replicas": Double(sizes.replicas), "edits": Double(edits), "syncs": Double(latencies.count),
                "seconds": seconds, "p50Milliseconds": latencies.quantile(0.5),
                "p99Milliseconds": latencies.quantile(0.99), "maxMilliseconds": latencies.max() ?? 0,
            ])
        let memory = ScenarioResult(
            name: "memory",
            figures: [
                Figure(
                    "server peak RSS, many replicas", Double(serverPeak) / 1_048_576, "MiB",
                    note: resetWorked
                        ? "VmHWM of the server process, reset when the concurrent edits began"
                        : "VmHWM of the server process since it started (the peak could not be reset)")
            ],
            details: ["serverPeakBytes": Double(serverPeak)])
        return [throughput, memory]
    }

    /// One office's work: rounds of edits, each followed by a sync whose latency is returned (milliseconds).
    static func work(
        _ replica: Replica, token: String, server: String, ids: [String], rounds: Int, editsPerRound: Int, seed: UInt64
    ) async throws -> [Double] {
        var random = SplitMix64(seed: 1_000 + seed)
        let session = SyncSession(replica: replica, transport: HTTPTransport(baseURL: server, token: token))
        var latencies: [Double] = []
        for _ in 0..<rounds {
            for _ in 0..<editsPerRound {
                let id = ids.randomElement(using: &random)!
                let edit: Edit =
                    Bool.random(using: &random)
                    ? .set(field: "status", value: ProgressStatus.values.randomElement(using: &random)!)
                    : .set(field: "progress", value: Prose.english.text(between: 100...300, using: &random))
                try await replica.edit(id, edit)
            }
            let (_, seconds) = try await timed { try await session.run() }
            latencies.append(seconds * 1_000)
        }
        return latencies
    }
}
