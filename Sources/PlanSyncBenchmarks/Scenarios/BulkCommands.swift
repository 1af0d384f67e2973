import Foundation
import GRDB
import PlanSyncContent
import PlanSyncCore
import PlanSyncReplica

/// The local commands that read a whole replica — `list`, `translations status`, `report build`, `dump
/// --json`, `xliff export` — run as the real `plansync` binary on a replica of many records, each timed with
/// its own peak memory; beside each, a child process that reads the same rows with a raw SELECT and prints
/// them as stored (the least work that brings that data out of the file).
enum BulkCommands {
    /// A command, and the raw SELECT of the rows it reads.
    struct Command {
        var name: String
        var arguments: [String]
        var baseline: String
        /// Where the command writes its result, when that is a file rather than standard output.
        var output: String?
    }

    static let plan = "iasc-protection-policy"

    static func commands(in workspace: Workspace) -> [Command] {
        [
            Command(
                name: "list", arguments: ["list"],
                baseline: "SELECT id, collection, title, deleted FROM record ORDER BY id"),
            Command(
                name: "translations status", arguments: ["translations", "status"],
                baseline: "SELECT id, coverage FROM record WHERE coverage IS NOT NULL"),
            Command(
                name: "report build",
                arguments: [
                    "report", "build", "--plan", plan, "--period", "2017", "--format", "html", "--output",
                    workspace.file("bulk-report.html"),
                ],
                baseline: """
                    SELECT state FROM record WHERE collection IN ('plan', 'section', 'report', 'approval', 'held')
                    OR (collection = 'activity' AND id >= '\(plan)/' AND id < '\(plan)0') ORDER BY id
                    """,
                output: workspace.file("bulk-report.html")),
            Command(
                name: "dump --json", arguments: ["dump", "--json"], baseline: "SELECT state FROM record ORDER BY id"),
            Command(
                name: "xliff export",
                arguments: ["xliff", "export", "--lang", "fr", "--output", workspace.file("bulk.xlf")],
                baseline: "SELECT state FROM record ORDER BY id", output: workspace.file("bulk.xlf")),
        ]
    }

    static func run(_ sizes: BenchmarkSizes, in workspace: Workspace, log: BenchmarkLog) async throws
        -> [ScenarioResult]
    {
        let plansync = URL(fileURLWithPath: ChildProcess.selfPath).deletingLastPathComponent()
            .appendingPathComponent("plansync").path
        guard FileManager.default.isExecutableFile(atPath: plansync) else {
            throw BenchmarkError("bulk commands: no \(plansync); build it too (swift build -c release)")
        }
        let replica = workspace.file("bulk-replica.sqlite")
        log.step("bulk commands: a replica of \(sizes.bulkRecords) generated records and the bundled plans")
        let records = try await makeReplica(at: replica, generated: sizes.bulkRecords)

        var figures: [Figure] = []
        var details: [String: Double] = ["records": Double(records)]
        for command in commands(in: workspace) {
            log.step("bulk commands: plansync \(command.name), and its raw SELECT")
            let printed = workspace.file("bulk-stdout.txt")
            let measured = try best(of: 2) {
                try MeasuredCommand.run(plansync, command.arguments + ["--replica", replica], stdout: printed)
            }
            let output = command.output.map(InitialSync.fileSize) ?? measured.outputBytes
            let baseline = try best(of: 2) {
                try MeasuredCommand.run(
                    ChildProcess.selfPath, ["raw-read", "--replica", replica, "--sql", command.baseline],
                    stdout: workspace.file("bulk-baseline.txt"))
            }
            let ratio = measured.seconds / baseline.seconds
            let megabytes = { (bytes: Int) in (Double(bytes) / 1e6).shown }
            figures.append(
                Figure(
                    "plansync \(command.name)", measured.seconds, "s",
                    baseline: Baseline("raw SELECT of its rows, printed", baseline.seconds, "s"), ratio: ratio,
                    ratioMeaning: "baseline time", target: "≤ 1 s", met: measured.seconds <= 1,
                    note: "\(records) records; wrote \(megabytes(output)) MB (the raw SELECT printed "
                        + "\(megabytes(baseline.outputBytes)) MB); best of 2"))
            let peak = Double(measured.peakBytes) / 1_048_576
            figures.append(
                Figure(
                    "plansync \(command.name), peak RSS", peak, "MiB",
                    baseline: Baseline("raw SELECT", Double(baseline.peakBytes) / 1_048_576, "MiB"),
                    ratio: Double(measured.peakBytes) / Double(max(1, baseline.peakBytes)),
                    ratioMeaning: "baseline memory"))
            details["\(command.name) seconds"] = measured.seconds
            details["\(command.name) baselineSeconds"] = baseline.seconds
            details["\(command.name) peakBytes"] = Double(measured.peakBytes)
            details["\(command.name) baselinePeakBytes"] = Double(baseline.peakBytes)
            details["\(command.name) outputBytes"] = Double(output)
        }
        return [ScenarioResult(name: "bulk commands", figures: figures, details: details)]
    }

    /// The faster of `count` runs, each of which must succeed.
    static func best(of count: Int, _ body: () throws -> MeasuredRun) throws -> MeasuredRun {
        var best: MeasuredRun?
        for _ in 0..<count {
            let run = try body()
            guard run.status == 0 else { throw BenchmarkError("exit \(run.status): \(run.stderr.suffix(2_000))") }
            if best.map({ run.seconds < $0.seconds }) ?? true { best = run }
        }
        return best!
    }

    /// A replica holding the bundled plans and `generated` generated records, stored through `apply` as
    /// pulled pages are — the storage path of a real sync, without the server and the wire, which the
    /// initial sync scenario measures. Returns how many records it holds.
    static func makeReplica(at path: String, generated: Int) async throws -> Int {
        let session = SessionInfo(
            server: ReplicaID("bench-bulk-server"), principal: Principal(name: "bench-bulk", role: .admin))
        let replica = try Replica.create(at: path, serverURL: "http://127.0.0.1:9", token: "unused", session: session)
        let now = Replica.wallClock()
        var clock = HybridLogicalClock(replica: ReplicaID("bench-bulk-seed"))
        var stored = try await replica.apply(
            PullResponse(records: try BundledPlans.records(clock: &clock, now: now), cursor: 1, more: true, latest: 1))
        var plans = GeneratedPlans(plan: "bench-bulk", seed: 12, now: now)
        var made = 0
        while made < generated {
            let page = try plans.next(min(1_000, generated - made))
            made += page.count
            stored += try await replica.apply(
                PullResponse(
                    records: page, cursor: UInt64(made + 1), more: made < generated, latest: UInt64(generated + 1)))
        }
        return stored
    }
}

extension BenchmarkRoles {
    /// `plansync-bench raw-read`: runs one SELECT on a replica file and prints every row as stored, its
    /// columns separated by tabs — the baseline of the bulk commands.
    public static func rawRead(replica: String, sql: String) throws {
        var configuration = Configuration()
        configuration.readonly = true
        let database = try DatabaseQueue(path: replica, configuration: configuration)
        var out: [UInt8] = []
        out.reserveCapacity(1 << 17)
        try database.read { db in
            let rows = try Row.fetchCursor(db, sql: sql)
            while let row = try rows.next() {
                for index in 0..<row.count {
                    if index > 0 { out.append(UInt8(ascii: "\t")) }
                    switch (row[index] as DatabaseValue).storage {
                    case .string(let text): out.append(contentsOf: text.utf8)
                    case .int64(let number): out.append(contentsOf: String(number).utf8)
                    case .double(let number): out.append(contentsOf: String(number).utf8)
                    case .blob(let data): out.append(contentsOf: data)
                    case .null: break
                    }
                }
                out.append(UInt8(ascii: "\n"))
                if out.count >= 1 << 16 {
                    FileHandle.standardOutput.write(Data(out))
                    out.removeAll(keepingCapacity: true)
                }
            }
        }
        FileHandle.standardOutput.write(Data(out))
    }
}
