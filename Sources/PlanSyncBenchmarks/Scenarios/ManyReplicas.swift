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

    static func run(_ sizes: BenchmarkSizes, in workspace: Workspace, log: BenchmarkLog) async throws -> [ScenarioResult] {
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
        let serverPeak = server.peakMemory ?? 0
        let latencies = results.flatMap { $0.latencies }
        let edits = results.reduce(0) { $0 + $1.edits }
        let rate = Double(edits) / seconds
        let throughput = ScenarioResult(
            name: "many replicas",
            figures: [
                Figure(
                    "edits synced per second", rate, "edits/s",
                    note: "\(sizes.replicas) replicas in \(groups.count) processes × \(sizes.roundsPerReplica) rounds of "
                        + "\(perRound) edits and a sync: \(latencies.count) syncs in \(BenchmarkReport.format(seconds)) s "
                        + "on \(ids.count) shared records"),
                Figure("sync latency p50", latencies.quantile(0.5), "ms"),
                Figure("sync latency p99", latencies.quantile(0.99), "ms"),
                Figure(
                    "server CPU per sync", serverSeconds / Double(max(1, latencies.count)) * 1_000, "ms",
                    note: "the server used \(BenchmarkReport.format(serverSeconds)) CPU-seconds and the replicas "
                        + "\(BenchmarkReport.format(clientSeconds)) of the \(BenchmarkReport.format(seconds * Double(ProcessInfo.processInfo.activeProcessorCount))) "
                        + "this machine had meanwhile: they share its cores, as real field laptops would not"),
                Figure(
                    "edits per server CPU-second", Double(edits) / max(serverSeconds, 0.001), "edits/s",
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
            ["offices", "--plan", plan.folder + "/" + OfficesPlan.file, "--first", "\(replicas.lowerBound)", "--count",
                "\(replicas.count)"],
            timeout: .seconds(1_800))
        guard child.succeeded, let result = try? JSONDecoder().decode(OfficesResult.self, from: child.stdout) else {
            throw BenchmarkError("offices \(replicas) failed (exit \(child.status)): \(child.stderr.suffix(2_000))")
        }
        return result
    }
}

/// What every `offices` process needs: the server, the tokens, the shared records, the rounds, and a folder
/// for the replicas and the ready/go signals.
struct OfficesPlan: Codable, Sendable {
    static let file = "plan.json"
    static let go = "go"
    static let abort = "abort"

    var server: String
    var folder: String
    var tokens: [String]
    var ids: [String]
    var rounds: Int
    var editsPerRound: Int

    func signal(_ name: String) throws {
        try Data().write(to: URL(fileURLWithPath: folder + "/" + name))
    }

    func exists(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: folder + "/" + name)
    }

    /// Waits (at most ten minutes) until `processes` processes have said they are ready.
    func waitUntilReady(_ processes: Int) async throws {
        for _ in 0..<120_000 {
            let ready = (try? FileManager.default.contentsOfDirectory(atPath: folder))?.filter { $0.hasPrefix("ready-") }
            if ready?.count ?? 0 >= processes { return }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw BenchmarkError("the office processes were not ready after ten minutes")
    }

    /// Waits (at most ten minutes) for go; false when told to abort instead.
    func waitForGo() async throws -> Bool {
        for _ in 0..<120_000 {
            if exists(Self.go) { return true }
            if exists(Self.abort) { return false }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw BenchmarkError("no go after ten minutes")
    }
}

/// What one `offices` process reports: every sync's latency in milliseconds, the edits made, and the CPU
/// time the process used for them.
struct OfficesResult: Codable, Sendable {
    var latencies: [Double]
    var edits: Int
    var cpuSeconds: Double
}

/// The child's side: `plansync-bench offices`, a group of field offices in one process.
enum Offices {
    static func run(plan path: String, first: Int, count: Int) async throws {
        let plan = try JSONDecoder().decode(OfficesPlan.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        let indices = Array(first..<first + count)
        let replicas = try await withThrowingTaskGroup(of: (Int, Replica).self) { group in
            for index in indices {
                group.addTask {
                    let token = plan.tokens[index]
                    let transport = HTTPTransport(baseURL: plan.server, token: token)
                    let replica = try Replica.create(
                        at: plan.folder + "/office-\(index).sqlite", serverURL: plan.server, token: token,
                        session: try await transport.session())
                    _ = try await SyncSession(replica: replica, transport: transport).run()
                    return (index, replica)
                }
            }
            var replicas: [(Int, Replica)] = []
            for try await replica in group { replicas.append(replica) }
            return replicas
        }
        try plan.signal("ready-\(first)")
        guard try await plan.waitForGo() else { return }
        let cpuBefore = ProcessCPU.ownSeconds()
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for (index, replica) in replicas {
                group.addTask { try await work(replica, index: index, plan: plan) }
            }
            var all: [Double] = []
            for try await latencies in group { all += latencies }
            return all
        }
        let result = OfficesResult(
            latencies: latencies, edits: count * plan.rounds * plan.editsPerRound,
            cpuSeconds: ProcessCPU.ownSeconds() - cpuBefore)
        print(try WireJSON.string(result))
    }

    /// One office's work: rounds of edits, each followed by a sync whose latency is returned (milliseconds).
    static func work(_ replica: Replica, index: Int, plan: OfficesPlan) async throws -> [Double] {
        var random = SplitMix64(seed: 1_000 + UInt64(index))
        let session = SyncSession(replica: replica, transport: HTTPTransport(baseURL: plan.server, token: plan.tokens[index]))
        var latencies: [Double] = []
        for _ in 0..<plan.rounds {
            for _ in 0..<plan.editsPerRound {
                let id = plan.ids.randomElement(using: &random)!
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
