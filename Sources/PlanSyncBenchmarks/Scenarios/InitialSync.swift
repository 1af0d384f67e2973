import Foundation
import PlanSyncClient
import PlanSyncCore
import PlanSyncReplica

/// A new replica's first sync of a server holding many records, in a child process of its own so that its
/// peak memory is the client's alone; beside it, the same rows inserted into a fresh SQLite file.
enum InitialSync {
    static func run(_ sizes: BenchmarkSizes, in workspace: Workspace, log: BenchmarkLog) async throws
        -> [ScenarioResult]
    {
        let data = try ServerData(directory: try workspace.folder("initial-data"))
        let token = try await data.token(for: Principal(name: "new-laptop", role: .admin))
        var plans = GeneratedPlans(plan: "bench-initial", seed: 1, now: Replica.wallClock())
        log.step("initial sync: loading \(sizes.initialRecords) generated records into the server")
        _ = try await data.load(sizes.initialRecords, from: &plans)

        let server = try LoopbackServer.start(data: data.directory, log: workspace.file("initial-server.log"))
        defer { server.stop() }
        let proxy = try CountingProxy(forwardingTo: server.port)
        defer { proxy.stop() }

        log.step("initial sync: a new replica pulls everything (child process)")
        let replicaPath = workspace.file("initial-replica.sqlite")
        let child = try await ChildProcess.run(
            ChildProcess.selfPath, ["sync-once", "--replica", replicaPath, "--server", proxy.url, "--token", token],
            timeout: .seconds(1_800))
        guard child.succeeded, let pulled = try? JSONDecoder().decode(SyncOnce.Result.self, from: child.stdout)
        else {
            throw BenchmarkError("the sync-once child failed (exit \(child.status)): \(child.stderr.suffix(2_000))")
        }
        let wire = proxy.counts

        log.step("initial sync: baseline, the same rows into a fresh SQLite file")
        let rows = try RawSQLiteInsert.rows(of: replicaPath)
        var baselineSeconds = Double.infinity
        for attempt in 1...2 {
            baselineSeconds = min(
                baselineSeconds, try RawSQLiteInsert.insert(rows, into: workspace.file("baseline-\(attempt).sqlite")))
            try? FileManager.default.removeItem(atPath: workspace.file("baseline-\(attempt).sqlite"))
        }
        let metadata = try SyncMetadata.measure(replica: replicaPath)
        let replicaBytes = Self.fileSize(replicaPath)

        let records = Double(rows.count)
        let ratio = pulled.seconds / baselineSeconds
        let sync = ScenarioResult(
            name: "initial sync",
            figures: [
                Figure(
                    "records pulled per second", records / pulled.seconds, "records/s",
                    baseline: Baseline("raw SQLite insert", records / baselineSeconds, "records/s"),
                    ratio: ratio, ratioMeaning: "baseline time", target: "≤ 2.5× baseline time", met: ratio <= 2.5,
                    note: "\(Int(records)) records in \(pulled.seconds.shown) s, "
                        + "\(pulled.roundTrips) round trip(s), \((Double(wire.down) / 1e6).shown) MB "
                        + "down the wire; raw insert \(baselineSeconds.shown) s (best of 2)"),
                Figure("bytes on the wire per record", Double(wire.total) / records, "B/record"),
            ],
            details: [
                "records": records, "seconds": pulled.seconds, "pullSeconds": pulled.pullSeconds,
                "baselineSeconds": baselineSeconds, "roundTrips": Double(pulled.roundTrips),
                "bytesUp": Double(wire.up), "bytesDown": Double(wire.down), "replicaFileBytes": Double(replicaBytes),
                "stateJSONBytes": Double(rows.reduce(0) { $0 + $1.state.utf8.count }),
            ])
        let peak = Double(pulled.peakMemory) / 1_048_576
        let memory = ScenarioResult(
            name: "memory",
            figures: [
                Figure(
                    "client peak RSS, initial sync", peak, "MiB", target: "≤ 150 MiB", met: peak <= 150,
                    note: "VmHWM of the child process that ran the sync of \(Int(records)) records")
            ],
            details: ["clientPeakBytes": Double(pulled.peakMemory)])
        return [sync, memory, metadata.result(fileBytes: replicaBytes)]
    }

    static func fileSize(_ path: String) -> Int {
        ["", "-wal"].reduce(0) { total, suffix in
            total + ((try? FileManager.default.attributesOfItem(atPath: path + suffix)[.size] as? Int) ?? 0)
        }
    }
}
