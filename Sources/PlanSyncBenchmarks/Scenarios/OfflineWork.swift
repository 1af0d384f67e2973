import Foundation
import PlanSyncClient
import PlanSyncCore
import PlanSyncReplica

/// One replica that works offline and then syncs: many queued edits pushed in one sync, a sync with nothing
/// to do, and the wire cost of a single edit. One server, one replica, three scenarios.
enum OfflineWork {
    static func run(_ sizes: BenchmarkSizes, in workspace: Workspace, log: BenchmarkLog) async throws
        -> [ScenarioResult]
    {
        let data = try ServerData(directory: try workspace.folder("offline-data"))
        let token = try await data.token(for: Principal(name: "central-team", role: .admin))
        var plans = GeneratedPlans(plan: "bench-offline", seed: 2, now: Replica.wallClock())
        log.step("offline push: loading \(sizes.offlineEdits) records into the server")
        let ids = try await data.load(sizes.offlineEdits, from: &plans)

        let server = try LoopbackServer.start(data: data.directory, log: workspace.file("offline-server.log"))
        defer { server.stop() }
        let proxy = try CountingProxy(forwardingTo: server.port)
        defer { proxy.stop() }
        var direct = HTTPTransport(baseURL: server.url, token: token)
        var counted = HTTPTransport(baseURL: proxy.url, token: token)
        let session = try await direct.session()
        // Both name the server on every request, as a replica's own transport does (`HTTPTransport(for:)`).
        (direct.server, counted.server) = (session.server, session.server)
        let replica = try Replica.create(
            at: workspace.file("offline-replica.sqlite"), serverURL: server.url, token: token, session: session)
        _ = try await SyncSession(replica: replica, transport: direct).run()

        // A second office's replica, to pull the single edit the way it travels to everyone else.
        let reader = try Replica.create(
            at: workspace.file("offline-reader.sqlite"), serverURL: server.url, token: token, session: session)
        _ = try await SyncSession(replica: reader, transport: direct).run()

        let push = try await offlinePush(replica, ids: ids, transport: direct, log: log)
        let noOp = try await noOpSync(
            replica, direct: direct, counted: counted, proxy: proxy, repetitions: sizes.noOpRepetitions, log: log)
        return [
            push, noOp,
            try await bytesPerEdit(
                replica, reader: reader, id: ids[ids.count / 2], direct: direct, counted: counted, proxy: proxy,
                noOpBytes: Int(noOp.details["bytesUp", default: 0] + noOp.details["bytesDown", default: 0]), log: log),
        ]
    }

    // MARK: - Offline push

    static func offlinePush(
        _ replica: Replica, ids: [String], transport: HTTPTransport, log: BenchmarkLog
    ) async throws -> ScenarioResult {
        log.step("offline push: \(ids.count) edits offline, then one sync")
        var random = SplitMix64(seed: 22)
        let edits = ids.enumerated().map { index, id in (id: id, edit: Self.edit(index, using: &random)) }
        // Offline edits, a hundred per transaction (an import, or a person working through a list).
        let ((), editSeconds) = try await timed {
            for start in stride(from: 0, to: edits.count, by: 100) {
                try await replica.edit(Array(edits[start..<min(start + 100, edits.count)]))
            }
        }
        let clock = ContinuousClock()
        let start = clock.now
        let pushedAt = Locked(start)
        let report = try await SyncSession(replica: replica, transport: transport).run { progress in
            if progress.phase == .push { pushedAt.withLock { $0 = clock.now } }
        }
        let seconds = (clock.now - start).seconds
        let pushSeconds = (pushedAt.withLock { $0 } - start).seconds
        let rate = Double(edits.count) / seconds
        return ScenarioResult(
            name: "offline push",
            figures: [
                Figure(
                    "queued edits synced per second", rate, "edits/s", target: "≥ 20,000 edits/s", met: rate >= 20_000,
                    note: "\(edits.count) edits on \(report.pushed) records in \(seconds.shown) s and "
                        + "\(report.roundTrips) round trips: the push \(pushSeconds.shown) s, then the pull that "
                        + "brings the \(report.pulled) records back and the conflict count "
                        + "\((seconds - pushSeconds).shown) s"),
                Figure(
                    "offline edits made per second", Double(edits.count) / editSeconds, "edits/s",
                    note: "100 edits per transaction, before the sync; not part of the figure above"),
            ],
            details: [
                "edits": Double(edits.count), "seconds": seconds, "pushSeconds": pushSeconds,
                "pushed": Double(report.pushed), "pulledBack": Double(report.pulled),
                "roundTrips": Double(report.roundTrips), "offlineEditSeconds": editSeconds,
            ])
    }

    /// A mix of what an office and the central team change: comments, statuses, progress notes, a translation.
    static func edit(_ index: Int, using random: inout SplitMix64) -> Edit {
        switch index % 4 {
        case 0: .set(field: "comment", value: Prose.english.text(between: 300...600, using: &random))
        case 1: .set(field: "status", value: ProgressStatus.values.randomElement(using: &random)!)
        case 2: .set(field: "progress", value: Prose.english.text(between: 100...300, using: &random))
        default:
            .translate(
                field: "title", language: "fr", text: Prose.french.text(between: 60...140, using: &random),
                status: .draft)
        }
    }

    // MARK: - No-op sync

    static func noOpSync(
        _ replica: Replica, direct: HTTPTransport, counted: HTTPTransport, proxy: CountingProxy, repetitions: Int,
        log: BenchmarkLog
    ) async throws -> ScenarioResult {
        log.step("no-op sync: \(repetitions) syncs with nothing to do")
        let session = SyncSession(replica: replica, transport: direct)
        for _ in 0..<2 { _ = try await session.run() }
        var milliseconds: [Double] = []
        var roundTrips = 0
        for _ in 0..<repetitions {
            let (report, seconds) = try await timed { try await session.run() }
            milliseconds.append(seconds * 1_000)
            roundTrips = max(roundTrips, report.roundTrips)
        }
        let countedSession = SyncSession(replica: replica, transport: counted)
        _ = try await countedSession.run()
        let before = proxy.counts
        let report = try await countedSession.run()
        let wire = proxy.counts - before
        guard report.pushed == 0, report.pulled == 0 else {
            throw BenchmarkError("the no-op sync was not one: \(report.pushed) pushed, \(report.pulled) pulled")
        }
        return ScenarioResult(
            name: "no-op sync",
            figures: [
                Figure("round trips", Double(roundTrips), "", target: "1", met: roundTrips == 1),
                Figure(
                    "bytes on the wire", Double(wire.total), "B", target: "≤ 1 KB", met: wire.total <= 1_024,
                    note: "\(wire.up) B up, \(wire.down) B down, HTTP headers included"),
                Figure(
                    "time", milliseconds.quantile(0.5), "ms",
                    note: "median of \(repetitions) after 2 warm-up syncs; p99 "
                        + "\(milliseconds.quantile(0.99).shown) ms"),
            ],
            details: [
                "roundTrips": Double(roundTrips), "bytesUp": Double(wire.up), "bytesDown": Double(wire.down),
                "medianMilliseconds": milliseconds.quantile(0.5), "p99Milliseconds": milliseconds.quantile(0.99),
            ])
    }

    // MARK: - Bytes per edit

    static func bytesPerEdit(
        _ replica: Replica, reader: Replica, id: String, direct: HTTPTransport, counted: HTTPTransport,
        proxy: CountingProxy, noOpBytes: Int, log: BenchmarkLog
    ) async throws -> ScenarioResult {
        log.step("bytes per edit: one 400-byte field")
        var random = SplitMix64(seed: 400)
        var value = Prose.english.text(bytes: 399, using: &random)
        value = value.dropLast() + String(repeating: " ", count: 400 - value.utf8.count) + "."
        let session = SyncSession(replica: replica, transport: counted)
        _ = try await session.run()
        _ = try await SyncSession(replica: reader, transport: direct).run()
        try await replica.edit(id, .set(field: "comment", value: value))
        let before = proxy.counts
        let report = try await session.run()
        let wire = proxy.counts - before
        // The other replica's sync that brings the edit: with the editor's, what one edit costs everyone.
        let readerBefore = proxy.counts
        let readerReport = try await SyncSession(replica: reader, transport: counted).run()
        let readerWire = proxy.counts - readerBefore
        guard readerReport.applied == 1 else {
            throw BenchmarkError("the other replica's sync brought \(readerReport.applied) changes, not the one edit")
        }
        let gzipped = try await Gzip.size(of: Data(value.utf8))
        let allowance = 675.0
        let roundAllowance = 1.5 * Double(gzipped) + 300 + Double(noOpBytes)
        let round = wire.total + readerWire.total
        let stored = try await replica.record(id).map { try WireJSON.encode($0).count } ?? 0
        return ScenarioResult(
            name: "bytes per edit",
            figures: [
                Figure(
                    "bytes on the wire, one edit", Double(wire.total), "B",
                    baseline: Baseline("gzip of the value", Double(gzipped), "B"),
                    ratio: Double(wire.total) / Double(gzipped), ratioMeaning: "gzip(value)",
                    target: "≤ 675 B", met: Double(wire.total) <= allowance,
                    note: "the editing replica's sync: \(wire.up) B up (push), \(wire.down) B down (its pull); "
                        + "\(report.roundTrips) round trips; the record's JSON is \(stored) B"),
                Figure(
                    "bytes on the wire, one edit pushed and pulled", Double(round), "B",
                    baseline: Baseline("gzip of the value", Double(gzipped), "B"),
                    ratio: Double(round) / Double(gzipped), ratioMeaning: "gzip(value)",
                    target: "≤ 1.5 × gzip + 300 B + a no-op sync (\(noOpBytes) B) = \(Int(roundAllowance)) B",
                    met: Double(round) <= roundAllowance,
                    note: "the editor's sync (\(wire.total) B) and another replica's sync that brings the edit "
                        + "(\(readerWire.up) B up, \(readerWire.down) B down), HTTP headers included"),
                Figure(
                    "bytes up, one edit", Double(wire.up), "B",
                    baseline: Baseline("gzip of the value", Double(gzipped), "B"),
                    ratio: Double(wire.up) / Double(gzipped), ratioMeaning: "gzip(value)"),
            ],
            details: [
                "valueBytes": Double(value.utf8.count), "gzipBytes": Double(gzipped), "bytesUp": Double(wire.up),
                "bytesDown": Double(wire.down), "recordJSONBytes": Double(stored),
                "readerBytesUp": Double(readerWire.up), "readerBytesDown": Double(readerWire.down),
                "roundTrips": Double(report.roundTrips),
            ])
    }
}

/// The gzip size of some bytes, as `gzip -6 -n` (the default level, no name or time stamp) writes them.
enum Gzip {
    static func size(of data: Data) async throws -> Int {
        let result = try await ChildProcess.run(
            "/usr/bin/env", ["gzip", "-6", "-n", "-c"], input: data, timeout: .seconds(30))
        guard result.succeeded else { throw BenchmarkError("gzip failed: \(result.stderr)") }
        return result.stdout.count
    }
}
