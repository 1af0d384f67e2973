import Foundation
import PlanSyncTestSupport
import Testing

/// The pages in Debian's Chromium, driven by Selenium (`Tests/scripts/browser_pages.py`): the central team on
/// the server's pages, an office on `plansync ui` over its replica with the server stopped, and a viewer.
///
/// With `PLANSYNC_SCREENSHOTS=DIR` the screenshots the README shows are written there
/// (`PLANSYNC_SCREENSHOTS=docs/screenshots swift test --filter BrowserTests`).
@Suite("The pages in a real browser", .serialized)
struct BrowserTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let plan = "iasc-protection-policy"
    static let activity = "\(plan)/A.2"
    static let unit = "\(plan)/A.1/1"
    static let period = "2017-Q3"
    static let office = "AFG"
    /// The period the office reports on from `plansync ui`: not the one approved meanwhile.
    static let nextPeriod = "2017-Q4"

    /// One visit of `browser_pages.py`: the JSON it printed, or a failed expectation with what it said.
    func visit(_ command: String, _ options: [String: String], flags: [String] = []) throws -> [String: Any] {
        let script = Self.root.appendingPathComponent("Tests/scripts/browser_pages.py").path
        let arguments = [script, command] + options.sorted { $0.key < $1.key }.flatMap { ["--\($0.key)", $0.value] }
        let result = try runTool("python3", arguments + flags)
        try #require(result.status == 0, "\(command): \(result.stderr)")
        return try #require(try json(result.stdout) as? [String: Any], "\(result)")
    }

    @Test func theCentralTeamAndAnOfficeWorkInChromium() throws {
        let cluster = try Cluster()
        let central = try cluster.replica("central")
        let amman = try cluster.replica("amman")
        // The office's replica, with the token its staff type to sign in to `plansync ui`.
        let kabulToken = try cluster.server.token(name: "kabul", role: "office", office: Self.office)
        let kabul = cluster.directory.file("kabul.sqlite")
        try expectSuccess(
            run("plansync", ["init", "--replica", kabul, "--server", cluster.server.url, "--token", kabulToken]))
        for replica in [central, amman, kabul] { try cluster.sync(replica) }
        let admin = try cluster.server.token(name: "coordinator", role: "admin")
        let viewer = try cluster.server.token(name: "donor", role: "viewer")

        // Two replicas write one field offline: a decision for the central team.
        try expectSuccess(cluster.plansync(central, "set", Self.unit, "comment", "Letter sent on 3 October"))
        try expectSuccess(cluster.plansync(amman, "set", Self.unit, "comment", "Letter delayed to November"))
        try expectSuccess(
            cluster.plansync(
                kabul, "report", "add", "--activity", Self.activity, "--period", Self.period, "--status", "on-track",
                "--text", "First sessions held"))
        for replica in [central, amman, kabul] { try cluster.sync(replica) }

        let shots = ProcessInfo.processInfo.environment["PLANSYNC_SCREENSHOTS"].map {
            $0.hasPrefix("/") ? $0 : Self.root.appendingPathComponent($0).path
        }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let shotsDirectory = shots ?? directory.path
        let seen = try visit(
            "admin",
            [
                "url": cluster.server.url, "token": admin, "plan": Self.plan, "activity": Self.activity,
                "period": Self.period, "office": Self.office, "record": Self.unit, "field": "comment",
                "keep": "Letter delayed to November", "shots": shotsDirectory,
            ])
        #expect((seen["after"] as? Int) == (seen["before"] as? Int).map { $0 - 1 }, "\(seen)")
        for name in ["plans-en", "plans-ar", "decisions-en", "decisions-ar"] {
            let size = try FileManager.default.attributesOfItem(atPath: "\(shotsDirectory)/\(name).png")[.size] as? Int
            #expect((size ?? 0) > 20_000, "\(name).png is \(size ?? 0) bytes")
        }

        // What the browser did is on the server: every replica converges on the kept value and the approval.
        for replica in [central, amman] { try cluster.sync(replica) }
        let kept = try cluster.plansync(amman, "show", Self.unit)
        #expect(kept.stdout.contains("Letter delayed to November"), "\(kept)")
        #expect(try cluster.dump(central) == cluster.dump(amman))
        let conflicts = try json(cluster.plansync(central, "conflicts", "--json").stdout) as? [Any]
        #expect(conflicts?.isEmpty == true, "\(conflicts ?? [])")
        let reports = try cluster.plansync(central, "report", "list", "--period", Self.period, "--json")
        #expect(reports.stdout.contains("\"approved\" : true") || reports.stdout.contains("\"approved\":true"), "\(reports)")

        // A viewer sees no form that writes, and a forged POST from its session changes nothing.
        let before = try cluster.dump(central)
        let viewed = try visit(
            "viewer",
            [
                "url": cluster.server.url, "token": viewer, "plan": Self.plan, "activity": Self.activity,
                "period": Self.period, "office": Self.office,
            ])
        #expect((viewed["visited"] as? [String])?.count == 6, "\(viewed)")
        try cluster.sync(central)
        #expect(try cluster.dump(central) == before, "a viewer's forged POST changed the data")

        // The office on its laptop with the server stopped: it writes a report in `plansync ui`, then the
        // server comes back and "Sync now" sends it.
        cluster.server.stop()
        let page = try PagesProcess.start(replica: kabul)
        let narrative = "Training held in Kabul and Herat"
        let offline = try visit(
            "office",
            [
                "url": page.url, "token": kabulToken, "activity": "\(Self.plan)/A.1", "period": Self.nextPeriod,
                "status": "completed", "narrative": narrative,
            ], flags: ["--expect-offline"])
        #expect(!(offline["offline"] as? String ?? "").isEmpty, "\(offline)")
        let server = try ServerProcess.start(data: cluster.server.data, port: cluster.server.port)
        defer { server.stop() }
        let synced = try visit("sync", ["url": page.url, "token": kabulToken])
        #expect(!(synced["synced"] as? String ?? "").isEmpty, "\(synced)")
        _ = try visit(
            "report",
            [
                "url": server.url, "token": admin, "plan": Self.plan, "period": Self.nextPeriod,
                "office": Self.office, "narrative": narrative,
            ])
        try cluster.sync(central)
        let list = try cluster.plansync(central, "report", "list", "--office", Self.office, "--json")
        #expect(list.stdout.contains(narrative), "\(list)")
    }
}
