import Foundation
import Logging

/// The benchmark suite behind `plansync-bench`: every scenario in turn, each against a real server on
/// loopback with its own temporary data folder, each figure beside its baseline from the same run.
public enum Benchmark {
    /// The scenarios, in the order they run and are reported.
    public static let scenarioNames = [
        "initial sync", "offline push", "no-op sync", "bytes per edit", "many replicas", "memory", "merge peer",
        "record codec", "sync metadata", "bulk commands", "push checks", "plan from CSV",
    ]

    /// Runs every scenario at `scale` — or only those named in `only` (with whatever else the same run
    /// measures) — in a temporary folder (removed afterwards, whatever happens), logging a line on stderr as
    /// each step starts when `progress` is on.
    public static func run(scale: BenchmarkScale, progress: Bool = true, only: Set<String> = [])
        async throws -> BenchmarkReport
    {
        let clock = ContinuousClock()
        let start = clock.now
        let workspace = try Workspace()
        defer { workspace.remove() }
        var logger = Logger(label: "plansync-bench")
        logger.logLevel = progress ? .info : .warning
        let log = BenchmarkLog(logger: logger)
        let sizes = scale.sizes
        // Each run and the scenarios it reports.
        func wanted(_ names: String...) -> Bool { only.isEmpty || !only.isDisjoint(with: names) }
        var results: [ScenarioResult] = []
        if wanted("initial sync", "memory", "sync metadata") {
            results += try await InitialSync.run(sizes, in: workspace, log: log)
        }
        if wanted("offline push", "no-op sync", "bytes per edit") {
            results += try await OfflineWork.run(sizes, in: workspace, log: log)
        }
        if wanted("many replicas", "memory") { results += try await ManyReplicas.run(sizes, in: workspace, log: log) }
        if wanted("merge peer") { results += try await MergePeer.run(sizes, in: workspace, log: log) }
        if wanted("record codec") { results += try RecordCodec.run(sizes, log: log) }
        if wanted("push checks") { results += try PushChecks.run(sizes, log: log) }
        if wanted("bulk commands") { results += try await BulkCommands.run(sizes, in: workspace, log: log) }
        if wanted("plan from CSV") { results += try await PlanFromCSV.run(sizes, in: workspace, log: log) }
        return BenchmarkReport(
            date: Date().ISO8601Format(), scale: scale, build: buildConfiguration, machine: .current(), sizes: sizes,
            scenarios: merged(results), seconds: (clock.now - start).seconds)
    }

    /// Results of one name gathered into one scenario (memory is measured in two places), in report order.
    static func merged(_ results: [ScenarioResult]) -> [ScenarioResult] {
        var byName: [String: ScenarioResult] = [:]
        for result in results {
            if var existing = byName[result.name] {
                existing.figures += result.figures
                existing.details.merge(result.details) { $1 }
                byName[result.name] = existing
            } else {
                byName[result.name] = result
            }
        }
        let order = scenarioNames + byName.keys.filter { !scenarioNames.contains($0) }.sorted()
        return order.compactMap { byName[$0] }
    }

    static var buildConfiguration: String {
        #if DEBUG
            "debug"
        #else
            "release"
        #endif
    }
}

/// Progress lines on stderr, so stdout carries only the table or the JSON.
struct BenchmarkLog: Sendable {
    let logger: Logger

    func step(_ message: String) {
        logger.info("\(message)")
    }
}
