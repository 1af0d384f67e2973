import Foundation
import PlanSyncCore

/// The core's join beside a CRDT library on the same workload of concurrent map-field updates: Loro
/// (PyPI `loro`), run by `python3` in a subprocess during the same run.
enum MergePeer {
    /// A schema of `fields` last-writer-wins text fields: the join does not look at conflict rules, so this
    /// measures the same join every PlanSync record goes through.
    static func schema(fields: Int) -> Schema {
        Schema([
            CollectionSchema(
                "document", titleField: "f0",
                fields: (0..<fields).map { FieldSchema("f\($0)", .text, rule: .lastWriterWins) })
        ])
    }

    static func run(_ sizes: BenchmarkSizes, in workspace: Workspace, log: BenchmarkLog) async throws
        -> [ScenarioResult]
    {
        log.step("merge peer: \(sizes.mergeDocuments) documents of concurrent map updates, core and Loro")
        let workload = MergeWorkload(documents: sizes.mergeDocuments, repetitions: sizes.mergeRepetitions, seed: 7)
        let core = try coreJoins(workload)
        let peer = try await LoroPeer.run(workload, in: workspace)
        let updates = Double(workload.mergedUpdates)
        let coreRate = updates / core.joinSeconds
        let decodingRate = updates / core.decodeAndJoinSeconds
        let peerRate = peer.seconds.map { updates / $0 }
        let baseline = Baseline(
            "Loro \(peer.version ?? "")".trimmingCharacters(in: .whitespaces), peerRate, "updates/s",
            unavailable: peer.unavailable)
        return [
            ScenarioResult(
                name: "merge peer",
                figures: [
                    Figure(
                        "core join, in memory", coreRate, "updates/s", baseline: baseline,
                        ratio: peerRate.map { coreRate / $0 }, ratioMeaning: peerRate == nil ? nil : "Loro throughput",
                        note: "\(workload.documents.count) documents × \(workload.fields) fields, "
                            + "\(workload.updatesPerSide) concurrent updates a side; best of \(workload.repetitions); "
                            + "Loro imports the other side's update bytes (decoding included)"),
                    Figure(
                        "core JSON decode + join", decodingRate, "updates/s", baseline: baseline,
                        ratio: peerRate.map { decodingRate / $0 },
                        ratioMeaning: peerRate == nil ? nil : "Loro throughput",
                        note: "the other side's record decoded from its stored JSON, then joined: the server's path"),
                ],
                details: [
                    "documents": Double(workload.documents.count), "updates": updates,
                    "coreJoinSeconds": core.joinSeconds,
                    "coreDecodeAndJoinSeconds": core.decodeAndJoinSeconds, "loroSeconds": peer.seconds ?? -1,
                    "coreBytesPerMerge": Double(core.bytesPerDocument),
                    "loroBytesPerMerge": peer.bytesPerDocument ?? -1,
                ])
        ]
    }

    struct CoreTimes {
        var joinSeconds: Double
        var decodeAndJoinSeconds: Double
        var bytesPerDocument: Int
    }

    /// Builds each document's two concurrent copies, then times joining them (best of the repetitions).
    static func coreJoins(_ workload: MergeWorkload) throws -> CoreTimes {
        let schema = schema(fields: workload.fields)
        let origin = ReplicaID("00000000000000a0")
        let sides = (a: ReplicaID("00000000000000a1"), b: ReplicaID("00000000000000a2"))
        var clocks = (
            origin: HybridLogicalClock(replica: origin), a: HybridLogicalClock(replica: sides.a),
            b: HybridLogicalClock(replica: sides.b)
        )
        var pairs: [(RecordState, RecordState)] = []
        var encoded: [[UInt8]] = []
        for (index, updates) in workload.documents.enumerated() {
            let now = UInt64(1_700_000_000_000 + index)
            var base = RecordState(id: "doc/\(index)", collection: "document")
            for field in 0..<workload.fields {
                try base.apply(
                    .set(field: "f\(field)", value: workload.value("base", document: index, update: field)),
                    schema: schema, by: Writer(time: try clocks.origin.tick(now: now), author: "origin"))
            }
            var a = base
            var b = base
            for (update, field) in updates.a.enumerated() {
                try a.apply(
                    .set(field: "f\(field)", value: workload.value("a", document: index, update: update)),
                    schema: schema, by: Writer(time: try clocks.a.tick(now: now + 1), author: "a"))
            }
            for (update, field) in updates.b.enumerated() {
                try b.apply(
                    .set(field: "f\(field)", value: workload.value("b", document: index, update: update)),
                    schema: schema, by: Writer(time: try clocks.b.tick(now: now + 1), author: "b"))
            }
            pairs.append((a, b))
            encoded.append(RecordJSON.encode(b))
        }
        var joinSeconds = Double.infinity
        var decodeSeconds = Double.infinity
        var check = 0
        // Pass 0 warms up (caches, allocator) and is not counted; the best of the others is kept.
        for pass in 0...workload.repetitions {
            let clock = ContinuousClock()
            var start = clock.now
            for (a, b) in pairs { check &+= a.joined(with: b).context.counters.count }
            let join = (clock.now - start).seconds
            start = clock.now
            for (index, (a, _)) in pairs.enumerated() {
                let b = try RecordJSON.decode(encoded[index])
                check &+= a.joined(with: b).fields.count
            }
            let decode = (clock.now - start).seconds
            if pass > 0 {
                joinSeconds = min(joinSeconds, join)
                decodeSeconds = min(decodeSeconds, decode)
            }
        }
        // The joined states are summed into `check` so the optimiser cannot drop the joins.
        guard check > 0 else { throw BenchmarkError("the core merge produced nothing") }
        return CoreTimes(
            joinSeconds: joinSeconds, decodeAndJoinSeconds: decodeSeconds,
            bytesPerDocument: encoded.reduce(0) { $0 + $1.count } / max(1, encoded.count))
    }
}
