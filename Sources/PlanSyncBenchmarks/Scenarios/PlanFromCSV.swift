import Foundation
import PlanSyncClient
import PlanSyncContent
import PlanSyncCore
import PlanSyncReplica

/// A large plan made from a spreadsheet on the central team's laptop: `plan import` of the CSV into its replica,
/// the sync that pushes it, and a new replica's first pull of it; beside them, the same rows inserted into a
/// fresh SQLite file.
enum PlanFromCSV {
    static func run(_ sizes: BenchmarkSizes, in workspace: Workspace, log: BenchmarkLog) async throws
        -> [ScenarioResult]
    {
        let data = try ServerData(directory: try workspace.folder("csv-data"))
        let token = try await data.token(for: Principal(name: "central-team", role: .admin))
        let server = try LoopbackServer.start(data: data.directory, log: workspace.file("csv-server.log"))
        defer { server.stop() }
        let transport = HTTPTransport(baseURL: server.url, token: token)
        let central = try Replica.create(
            at: workspace.file("csv-central.sqlite"), serverURL: server.url, token: token,
            session: try await transport.session())
        // The replicas sync as `plansync sync` does, through their own transport (it names the server).
        let centralTransport = try HTTPTransport(for: try await central.identity())
        _ = try await SyncSession(replica: central, transport: centralTransport).run()

        log.step("plan from CSV: importing \(sizes.csvRows) rows")
        let csv = Self.csv(rows: sizes.csvRows)
        let (rows, importSeconds) = try await timed {
            let document = try PlanSpreadsheet.document(csv: csv, plan: "bench-csv", title: "A large plan")
            try await central.create(document.newRecords)
            return document.newRecords.count
        }
        log.step("plan from CSV: pushing \(rows) records")
        let (pushed, pushSeconds) = try await timed {
            try await SyncSession(replica: central, transport: centralTransport).run()
        }
        log.step("plan from CSV: a new replica pulls them")
        let laptop = try Replica.create(
            at: workspace.file("csv-laptop.sqlite"), serverURL: server.url, token: token,
            session: try await transport.session())
        let laptopTransport = try HTTPTransport(for: try await laptop.identity())
        let (pulled, pullSeconds) = try await timed {
            try await SyncSession(replica: laptop, transport: laptopTransport).run()
        }
        guard pushed.pushed >= rows, pulled.pulled >= rows else {
            throw BenchmarkError("plan from CSV: \(pushed.pushed) pushed and \(pulled.pulled) pulled of \(rows)")
        }
        let baselineRows = try RawSQLiteInsert.rows(of: workspace.file("csv-laptop.sqlite"))
        let baselineSeconds = try RawSQLiteInsert.insert(baselineRows, into: workspace.file("csv-baseline.sqlite"))
        let baseline = Baseline("raw SQLite insert", Double(baselineRows.count) / baselineSeconds, "rows/s")
        func figure(_ measure: String, _ seconds: Double, target: Double?) -> Figure {
            let ratio = seconds / (baselineSeconds * Double(rows) / Double(baselineRows.count))
            return Figure(
                measure, Double(rows) / seconds, "rows/s", baseline: baseline, ratio: ratio,
                ratioMeaning: "baseline time", target: target.map { "≤ \(Int($0))× baseline time" },
                met: target.map { ratio <= $0 }, note: "\(rows) records in \(seconds.shown) s")
        }
        return [
            ScenarioResult(
                name: "plan from CSV",
                figures: [
                    figure("plan import", importSeconds, target: 3),
                    Figure(
                        "push", Double(rows) / pushSeconds, "rows/s", target: "≥ 20,000 rows/s",
                        met: Double(rows) / pushSeconds >= 20_000,
                        note: "\(rows) records in \(pushSeconds.shown) s, \(pushed.roundTrips) round trips"),
                    figure("new replica's pull", pullSeconds, target: 3),
                ],
                details: [
                    "rows": Double(rows), "importSeconds": importSeconds, "pushSeconds": pushSeconds,
                    "pullSeconds": pullSeconds, "baselineSeconds": baselineSeconds,
                ])
        ]
    }

    /// A plan spreadsheet of `rows` rows: sections of 20 activities, each with three related activities.
    static func csv(rows: Int) -> String {
        var random = SplitMix64(seed: 50)
        var lines = ["section,code,activity,related activity,focal point,time frame,indicators,comment,priority"]
        var section = 0
        var activity = 0
        while lines.count <= rows {
            if activity % 20 == 0 { section += 1 }
            activity += 1
            let code = "S\(section).\(activity)"
            let heading = activity % 20 == 1 ? "S\(section): Section \(section)" : ""
            let text = Prose.english.text(between: 40...90, using: &random).replacingOccurrences(of: "\"", with: "")
            lines.append("\(heading),\(code),\"\(text)\",Plan \(code),Coordinator,Q\(activity % 4 + 1),,,")
            for related in 1...2 where lines.count <= rows {
                lines.append(",\(code),,Follow-up \(related) of \(code),Officer,Monthly,,,")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
