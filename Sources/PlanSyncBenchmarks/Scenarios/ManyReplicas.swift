import Foundation
import PlanSyncClient
import PlanSyncCore
import PlanSyncReplica

/// Many field offices editing and syncing at once against one server: throughput, sync latency, and the
/// server's peak memory meanwhile.
///
/// Each replica has its own office token and edits progress fields (`status`, `progress`) of records drawn at
/// random from one shared set, so offices also pull each other's edits and sometimes conflict. Each makes its
/// edits in rounds, syncing after each round; every sync's latency is recorded. The replicas run in several
/// child processes (`plansync-bench offices`) like separate machines; they make their first sync, then all
/// start together when the run says go.
enum ManyReplicas {
    /// The HTTP client keeps at most eight connections to a server, and a request that waits longer than the
    /// connect timeout for one fails: eight replicas per process give each its own connection.
    static let replicasPerProcess = 8

    static func run(_ sizes: BenchmarkSizes, in workspace: Workspace, log: BenchmarkLog) async throws
        -> [ScenarioResult]
    {
        let data = try ServerData(directory: try workspace.folder("replicas-data"))
        var plans = GeneratedPlans(plan: "bench-shared", seed: 3, now: Replica.wallClock())
        let ids = try await data.load(sizes.sharedRecords, from: &plans)
        var tokens: [String] = []
        for index in 0..<sizes.replicas {
            let office = Principal(name: "office-\(index)", role: .office, office: "office-\(index)")
            tokens.append(try await data.token(for: office))
        }
        let server = try LoopbackServer.start(data: data.directory, log: workspace.file("replicas-server.log"))
        defer { server.stop() }

        let perRound = max(1, sizes.editsPerReplica / sizes.roundsPerReplica)
        let plan = OfficesPlan(
            server: server.url, folder: try workspace.folder("offices"), tokens: tokens, ids: ids,
            rounds: sizes.roundsPerReplica, editsPerRound: perRound)
        try WireJSON.encode(plan).write(to: URL(fileURLWithPath: plan.folder + "/" + OfficesPlan.file))
        let groups = stride(from: 0, to: sizes.replicas, by: replicasPerProcess).map {
            $0..<min($0 + replicasPerProcess, sizes.replicas)
        }
        log.step(
            "many replicas: \(sizes.replicas) replicas in \(groups.count) processes make their first sync, then "
                + "\(sizes.editsPerReplica) edits each, syncing concurrently")

        let clock = ContinuousClock()
        // Beside the task group, so the go can be given while the group waits for the processes to finish.
        let start = Task { () throws -> (ContinuousClock.Instant, Bool, Double) in
            try await plan.waitUntilReady(groups.count)
            let reset = server.resetPeakMemory()
            let cpu = server.cpuSeconds ?? 0
            try plan.signal(OfficesPlan.go)
            return (clock.now, reset, cpu)
        }
        let outcomes = await withTaskGroup(of: Result<OfficesResult, any Error>.self) { group in
            for replicas in groups {
                group.addTask {
                    do {
                        return .success(try await runOffices(replicas, plan: plan))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            var outcomes: [Result<OfficesResult, any Error>] = []
            for await outcome in group {
                if case .failure = outcome {
                    // The other processes wait for go: tell them to stop instead.
                    try? plan.signal(OfficesPlan.abort)
                    start.cancel()
                }
                outcomes.append(outcome)
            }
            return outcomes
        }
        let end = clock.now
        let serverCPU = server.cpuSeconds ?? 0
        let results = try outcomes.map { try $0.get() }
        let (began, resetWorked, serverCPUBefore) = try await start.value
        let seconds = (end - began).seconds
        let serverSeconds = serverCPU - serverCPUBefore
        let clientSeconds = results.reduce(0) { $0 + $1.cpuSeconds }
        let available = seconds * Double(ProcessInfo.processInfo.activeProcessorCount)
        let serverPeak = server.peakMemory ?? 0
        let latencies = results.flatMap { $0.latencies }
        let edits = results.reduce(0) { $0 + $1.edits }
        let rate = Double(edits) / seconds
        let throughput = ScenarioResult(
            name: "many replicas",
            figures: [
                Figure(
                    "edits synced per second", rate, "edits/s",
                    note: "\(sizes.replicas) replicas in \(groups.count) processes × \(sizes.roundsPerReplica) rounds "
                        + "of \(perRound) edits and a sync: \(latencies.count) syncs in \(seconds.shown) s on "
                        + "\(ids.count) shared records"),
                Figure("sync latency p50", latencies.quantile(0.5), "ms"),
                Figure("sync latency p99", latencies.quantile(0.99), "ms"),
                Figure(
                    "server CPU per sync", serverSeconds / Double(max(1, latencies.count)) * 1_000, "ms",
                    note: "the server used \(serverSeconds.shown) CPU-seconds and the replicas "
                        + "\(clientSeconds.shown) of the \(available.shown) this machine had meanwhile: they share its "
                        + "cores, as field laptops do not"),
                Figure(
                    "edits per server CPU-second", Double(edits) / max(serverSeconds, 0.001), "edits/s",
                    target: "≥ 5,000 edits/s", met: Double(edits) / max(serverSeconds, 0.001) >= 5_000,
                    note: "what one core of this server would sustain if the replicas ran elsewhere"),
            ],
            details: [
                "replicas": Double(sizes.replicas), "processes": Double(groups.count), "edits": Double(edits),
                "syncs": Double(latencies.count), "seconds": seconds, "p50Milliseconds": latencies.quantile(0.5),
                "serverCPUSeconds": serverSeconds, "replicaCPUSeconds": clientSeconds,
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

    static func runOffices(_ replicas: Range<Int>, plan: OfficesPlan) async throws -> OfficesResult {
        let child = try await ChildProcess.run(
            ChildProcess.selfPath,
            [
                "offices", "--plan", plan.folder + "/" + OfficesPlan.file, "--first", "\(replicas.lowerBound)",
                "--count",
                "\(replicas.count)",
            ],
            timeout: .seconds(1_800))
        guard child.succeeded, let result = try? JSONDecoder().decode(OfficesResult.self, from: child.stdout) else {
            throw BenchmarkError("offices \(replicas) failed (exit \(child.status)): \(child.stderr.suffix(2_000))")
        }
        return result
    }
}
