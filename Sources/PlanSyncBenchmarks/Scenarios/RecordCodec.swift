import Foundation
import PlanSyncCore

/// The record codec every sync path goes through (`RecordJSON`), beside Foundation's `JSONEncoder` and
/// `JSONDecoder` on the same records in the same run: the coders PlanSync used before, and the usual way.
enum RecordCodec {
    static func run(_ sizes: BenchmarkSizes, log: BenchmarkLog) throws -> [ScenarioResult] {
        let count = max(200, sizes.initialRecords / 10)
        log.step("record codec: \(count) generated records, direct codec and Foundation's")
        var plans = GeneratedPlans(plan: "bench-codec", seed: 9, now: 1_700_000_000_000)
        let records = try plans.next(count)
        let foundation = try records.map { try WireJSON.encode($0) }
        let direct = records.map { RecordJSON.encode($0) }
        let megabytes = Double(direct.reduce(0) { $0 + $1.count }) / 1_000_000

        var check = 0
        let encodeDirect = best(of: 3) { for record in records { check &+= RecordJSON.encode(record).count } }
        let encodeFoundation = try best(of: 3) { for record in records { check &+= try WireJSON.encode(record).count } }
        let decodeDirect = try best(of: 3) { for bytes in direct { check &+= try RecordJSON.decode(bytes).fields.count } }
        let decoder = JSONDecoder()
        let decodeFoundation = try best(of: 3) {
            for data in foundation { check &+= try decoder.decode(RecordState.self, from: data).fields.count }
        }
        precondition(check != 0)

        func figure(_ measure: String, _ seconds: Double, baseline: Double, coder: String) -> Figure {
            Figure(
                measure, megabytes / seconds, "MB/s", baseline: Baseline(coder, megabytes / baseline, "MB/s"),
                ratio: baseline / seconds, ratioMeaning: "\(coder)'s speed",
                note: "\(count) records of \(Int(megabytes * 1_000_000) / count) B; best of 3")
        }
        return [
            ScenarioResult(
                name: "record codec",
                figures: [
                    figure("encode", encodeDirect, baseline: encodeFoundation, coder: "JSONEncoder"),
                    figure("decode", decodeDirect, baseline: decodeFoundation, coder: "JSONDecoder"),
                ],
                details: [
                    "records": Double(count), "megabytes": megabytes, "encodeSeconds": encodeDirect,
                    "foundationEncodeSeconds": encodeFoundation, "decodeSeconds": decodeDirect,
                    "foundationDecodeSeconds": decodeFoundation,
                ])
        ]
    }

    static func best(of runs: Int, _ work: () throws -> Void) rethrows -> Double {
        var best = Double.infinity
        for _ in 0..<runs {
            let clock = ContinuousClock()
            let start = clock.now
            try work()
            best = min(best, (clock.now - start).seconds)
        }
        return best
    }
}
