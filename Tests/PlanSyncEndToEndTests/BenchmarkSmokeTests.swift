import Foundation
import PlanSyncTestSupport
import Testing

/// `plansync-bench --scale small --json` runs to the end and reports every scenario with numeric figures.
/// Whether the figures are good is `docs/PERFORMANCE.md`'s business, not this test's.
@Suite("Benchmark smoke test")
struct BenchmarkSmokeTests {
    static let scenarios = [
        "initial sync", "offline push", "no-op sync", "bytes per edit", "many replicas", "memory", "merge peer",
        "record codec", "sync metadata", "bulk commands", "push checks", "plan from CSV",
    ]

    @Test("plansync-bench --scale small reports every scenario with numeric figures", .timeLimit(.minutes(5)))
    func smallScaleReportsEveryScenario() throws {
        let binary = Binaries.path("plansync-bench")
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            Issue.record(
                "\(binary) is not built: PlanSyncEndToEndTests must depend on \"plansync-bench\" in Package.swift")
            return
        }
        let result = try run("plansync-bench", ["--scale", "small", "--json", "--quiet"])
        try #require(result.status == 0, "\(result)")
        let report = try #require(try json(result.stdout) as? [String: Any], "not a JSON object: \(result.stdout)")

        #expect((report["date"] as? String)?.isEmpty == false)
        #expect(report["scale"] as? String == "small")
        let machine = report["machine"] as? [String: Any]
        #expect((machine?["cpus"] as? Int ?? 0) > 0)
        #expect(machine?["cpuModel"] is String)

        let reported = report["scenarios"] as? [[String: Any]] ?? []
        #expect(reported.compactMap { $0["name"] as? String } == Self.scenarios)
        for scenario in reported {
            let name = scenario["name"] as? String ?? "?"
            let figures = scenario["figures"] as? [[String: Any]] ?? []
            #expect(!figures.isEmpty, "\(name) reports no figure")
            for figure in figures {
                let measure = figure["measure"] as? String ?? "?"
                let value = (figure["value"] as? NSNumber)?.doubleValue
                #expect(value?.isFinite == true, "\(name), \(measure): \(String(describing: figure["value"]))")
                #expect(figure["unit"] is String, "\(name), \(measure) has no unit")
                if let baseline = figure["baseline"] as? [String: Any] {
                    // A baseline either ran (a number) or says why not ("unavailable (pip install loro)").
                    let ran = (baseline["value"] as? NSNumber)?.doubleValue.isFinite == true
                    #expect(ran || baseline["unavailable"] is String, "\(name), \(measure): \(baseline)")
                }
            }
        }
    }
}
