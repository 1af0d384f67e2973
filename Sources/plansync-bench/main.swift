import ArgumentParser
import PlanSyncBenchmarks

@main
struct PlanSyncBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plansync-bench",
        abstract: "Measure how fast PlanSync syncs, each figure beside a baseline run on the same machine.",
        discussion: "Run it in a release build: swift run -c release plansync-bench --scale full",
        subcommands: [Run.self, Serve.self, Prepare.self, SyncOnce.self, EditOffline.self, Offices.self, RawRead.self],
        defaultSubcommand: Run.self)
}

extension BenchmarkScale: ExpressibleByArgument {}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run every scenario and print a table (or JSON) of the figures.")

    @Option(help: "small (under a minute, for checks) or full (the figures in docs/PERFORMANCE.md).")
    var scale: BenchmarkScale = .small
    @Flag(help: "Print one JSON object with every scenario instead of the table.") var json = false
    @Flag(help: "Print no progress lines on stderr.") var quiet = false
    @Option(help: "Only this scenario (and what the same run measures), e.g. \"bulk commands\"; repeatable.")
    var only: [String] = []

    func validate() throws {
        for name in only where !Benchmark.scenarioNames.contains(name) {
            let names = Benchmark.scenarioNames.joined(separator: ", ")
            throw ValidationError("no scenario '\(name)': use one of \(names)")
        }
    }

    func run() async throws {
        let report = try await Benchmark.run(scale: scale, progress: !quiet, only: Set(only))
        print(json ? try report.json() : report.table())
    }
}

// The pieces below are what a run starts as child processes, and what a profiler runs alone.

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the sync server on a data folder, on a free loopback port.", shouldDisplay: false)

    @Option var data: String

    func run() async throws {
        try await BenchmarkRoles.serve(data: data)
    }
}

struct Prepare: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a data folder loaded with generated records; print an admin token.", shouldDisplay: false)

    @Option var data: String
    @Option var records = 5_000

    func run() async throws {
        try await BenchmarkRoles.prepare(data: data, records: records)
    }
}

struct SyncOnce: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync-once", abstract: "Create or open a replica, sync it once, print the figures as JSON.",
        shouldDisplay: false)

    @Option var replica: String
    @Option var server: String
    @Option var token: String

    func run() async throws {
        try await BenchmarkRoles.syncOnce(replica: replica, server: server, token: token)
    }
}

struct EditOffline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit-offline", abstract: "Make offline edits on a replica's generated records.",
        shouldDisplay: false)

    @Option var replica: String
    @Option var edits = 1_000

    func run() async throws {
        try await BenchmarkRoles.editOffline(replica: replica, edits: edits)
    }
}

struct Offices: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A group of field offices of a many-replicas run (started by the run itself).", shouldDisplay: false)

    @Option var plan: String
    @Option var first: Int
    @Option var count: Int

    func run() async throws {
        try await BenchmarkRoles.offices(plan: plan, first: first, count: count)
    }
}

struct RawRead: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raw-read", abstract: "Run one SELECT on a replica file and print its rows as stored.",
        shouldDisplay: false)

    @Option var replica: String
    @Option var sql: String

    func run() async throws {
        try BenchmarkRoles.rawRead(replica: replica, sql: sql)
    }
}
