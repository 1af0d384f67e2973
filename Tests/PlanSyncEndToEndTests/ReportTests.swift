import Foundation
import GRDB
import PlanSyncTestSupport
import Testing

/// Field reports with the real binaries: scoped replication, the approval lock, held edits.
@Suite("Reports, scope and approval", .serialized)
struct ReportTests {
    static let activity = "iasc-protection-policy/A.2"

    /// The report ids a replica's SQLite file holds, read straight from the file.
    static func reportIDs(in path: String) throws -> Set<String> {
        let queue = try DatabaseQueue(path: path)
        return Set(try queue.read { try String.fetchAll($0, sql: "SELECT id FROM record WHERE collection = 'report'") })
    }

    @Test(arguments: ServerStore.available)
    func twoOfficesReportOfflineAndEachHoldsOnlyItsOwn(store: ServerStore) throws {
        let cluster = try Cluster(store: store)
        let central = try cluster.replica("central")
        let kabul = try cluster.replica("kabul", role: "office", office: "AFG")
        let erbil = try cluster.replica("erbil", role: "office", office: "IRQ")
        let translator = try cluster.replica("t", role: "translator", language: "fr")
        for replica in [central, kabul, erbil, translator] { try cluster.sync(replica) }

        try expectSuccess(
            cluster.plansync(
                kabul, "report", "add", "--activity", Self.activity, "--office", "AFG", "--period", "2017-Q1",
                "--status", "on-track", "--text", "Two webinars held", "--indicator", "sessions=2"))
        try expectSuccess(
            cluster.plansync(
                erbil, "report", "add", "--activity", Self.activity, "--office", "IRQ", "--period", "2017-Q1",
                "--status", "delayed", "--text", "تأجلت الجلسات", "--lang", "ar", "--indicator", "sessions=0"))
        let foreign = try cluster.plansync(
            kabul, "report", "add", "--activity", Self.activity, "--office", "IRQ", "--period", "2017-Q1",
            "--status", "completed")
        #expect(foreign.status != 0 && foreign.stderr.contains("refused"), "\(foreign)")

        for replica in [kabul, erbil, central, kabul, erbil, translator] { try cluster.sync(replica) }
        #expect(try Self.reportIDs(in: kabul) == ["\(Self.activity)/report/AFG/2017-Q1"])
        #expect(try Self.reportIDs(in: erbil) == ["\(Self.activity)/report/IRQ/2017-Q1"])
        #expect(try Self.reportIDs(in: translator).isEmpty)
        #expect(try Self.reportIDs(in: central).count == 2)

        let list =
            try json(cluster.plansync(central, "report", "list", "--period", "2017-Q1", "--json").stdout)
            as! [[String: Any]]
        #expect(Set(list.compactMap { $0["office"] as? String }) == ["AFG", "IRQ"])
        #expect(try cluster.dump(central).contains("\"collection\" : \"report\""))

        // The central team's consolidated report shows both offices.
        let csv = cluster.directory.file("q1.csv")
        try expectSuccess(
            cluster.plansync(
                central, "report", "build", "--plan", "iasc-protection-policy", "--period", "2017-Q1", "--format",
                "csv",
                "--output", csv))
        let parsed = try runTool(
            "python3",
            [
                "-c",
                "import csv,sys; rows=list(csv.DictReader(open(sys.argv[1], encoding='utf-8-sig'))); "
                    + "print(sorted((r['office'], r['status']) for r in rows if r['office']))", csv,
            ])
        #expect(parsed.stdout.contains("[('AFG', 'on-track'), ('IRQ', 'delayed')]"), "\(parsed)")
        let html = cluster.directory.file("q1.html")
        try expectSuccess(
            cluster.plansync(
                central, "report", "build", "--plan", "iasc-protection-policy", "--period", "2017-Q1", "--format",
                "html",
                "--output", html, "--lang", "ar"))
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.contains("dir=\"rtl\"") && page.contains("<svg"))
        #expect(page.contains("تأجلت الجلسات") && page.contains("Two webinars held"))
        let missing = try cluster.plansync(
            central, "report", "build", "--plan", "no-such-plan", "--period", "2017-Q1", "--format", "md",
            "--output", cluster.directory.file("x.md"))
        #expect(missing.status != 0 && !FileManager.default.fileExists(atPath: cluster.directory.file("x.md")))
    }

    @Test func oneOfficeOnTwoDevicesKeepsBothNarratives() throws {
        let cluster = try Cluster()
        let laptop = try cluster.replica("kabul-laptop", role: "office", office: "AFG")
        let phone = try cluster.replica("kabul-phone", role: "office", office: "AFG")
        let central = try cluster.replica("central")
        for replica in [laptop, phone, central] { try cluster.sync(replica) }
        for (replica, text) in [(laptop, "Briefed the HCT on 3 May"), (phone, "HCT briefing done, notes to follow")] {
            try expectSuccess(
                cluster.plansync(
                    replica, "report", "add", "--activity", Self.activity, "--office", "AFG", "--period", "2017-05",
                    "--status", "on-track", "--text", text))
        }
        for replica in [laptop, phone, central, laptop] { try cluster.sync(replica) }
        let conflicts = try json(cluster.plansync(central, "conflicts", "--json").stdout) as! [[String: Any]]
        let narrative = conflicts.first { $0["field"] as? String == "narrative" }
        #expect(
            Set(narrative?["candidates"] as? [String] ?? []) == [
                "Briefed the HCT on 3 May", "HCT briefing done, notes to follow",
            ])
        #expect(try cluster.dump(laptop).contains("HCT briefing done"))
    }

    @Test(arguments: ServerStore.available)
    func anEditMadeOfflineAfterApprovalIsHeldNotApplied(store: ServerStore) throws {
        let cluster = try Cluster(store: store)
        let central = try cluster.replica("central")
        let kabul = try cluster.replica("kabul", role: "office", office: "AFG")
        for replica in [central, kabul] { try cluster.sync(replica) }
        try expectSuccess(
            cluster.plansync(
                kabul, "report", "add", "--activity", Self.activity, "--office", "AFG", "--period", "2017-Q2",
                "--status", "on-track", "--indicator", "sessions=4"))
        try cluster.sync(kabul)
        try cluster.sync(central)
        // Kabul edits offline; meanwhile the central team approves the period.
        try expectSuccess(
            cluster.plansync(
                kabul, "report", "add", "--activity", Self.activity, "--office", "AFG", "--period", "2017-Q2",
                "--status", "completed", "--indicator", "sessions=9"))
        try expectSuccess(cluster.plansync(central, "report", "approve", "--office", "AFG", "--period", "2017-Q2"))
        try cluster.sync(central)
        let synced = try cluster.plansync(kabul, "sync")
        try expectSuccess(synced)
        try cluster.sync(central)

        let id = "\(Self.activity)/report/AFG/2017-Q2"
        for replica in [central, kabul] {
            let report = try WalkthroughTests.record(id, in: cluster.dump(replica))
            let fields = report["fields"] as! [String: Any]
            #expect(fields["status"] as? String == "on-track", "an approved number moved")
            #expect(fields["indicators"] as? [String] == ["sessions=4"])
        }
        let conflicts = try json(cluster.plansync(central, "conflicts", "--json").stdout) as! [[String: Any]]
        let held = conflicts.filter { $0["held"] != nil }
        #expect(held.count == 1, "one entry per held edit")
        let changes = try #require(held.first?["changes"] as? [[String: String]])
        #expect(changes.contains { $0 == ["field": "status", "approved": "on-track", "proposed": "completed"] })
        #expect(!changes.contains { $0["field"] == "activity" || $0["approved"] == $0["proposed"] }, "\(changes)")
        // Now read-only for the office.
        let refused = try cluster.plansync(
            kabul, "report", "add", "--activity", Self.activity, "--office", "AFG", "--period", "2017-Q2",
            "--status", "delayed")
        #expect(refused.status != 0 && refused.stderr.contains("approved"), "\(refused)")

        // The central team accepts it: the office's numbers apply, everywhere.
        let heldID = try #require(held.first?["held"] as? String)
        try expectSuccess(cluster.plansync(central, "report", "accept", heldID))
        for replica in [central, kabul] { try cluster.sync(replica) }
        let accepted = try WalkthroughTests.record(id, in: cluster.dump(kabul))
        #expect((accepted["fields"] as! [String: Any])["status"] as? String == "completed")
        #expect(try cluster.dump(kabul) == cluster.dump(kabul))
        #expect(
            (try json(cluster.plansync(central, "conflicts", "--json").stdout) as! [[String: Any]])
                .filter { $0["held"] != nil }.isEmpty)
    }

    @Test(arguments: ServerStore.available)
    func aReportMovedToAnotherOfficeLeavesTheFirstAndAnUnsyncedEditIsSetAside(store: ServerStore) throws {
        let cluster = try Cluster(store: store)
        let central = try cluster.replica("central")
        let kabul = try cluster.replica("kabul", role: "office", office: "AFG")
        for replica in [central, kabul] { try cluster.sync(replica) }
        try expectSuccess(
            cluster.plansync(
                kabul, "report", "add", "--activity", Self.activity, "--office", "AFG", "--period", "2017",
                "--status", "on-track"))
        try cluster.sync(kabul)
        try cluster.sync(central)
        let id = "\(Self.activity)/report/AFG/2017"
        // The central team moves the report to Pakistan while Kabul edits it offline.
        try expectSuccess(cluster.plansync(central, "set", id, "office", "PAK"))
        try cluster.sync(central)
        try expectSuccess(
            cluster.plansync(
                kabul, "report", "add", "--activity", Self.activity, "--office", "AFG", "--period", "2017",
                "--status", "delayed", "--text", "Typed offline in Kabul"))
        try expectSuccess(cluster.plansync(kabul, "sync"))
        #expect(try Self.reportIDs(in: kabul).isEmpty, "the report left Kabul's replica")
        let queue = try DatabaseQueue(path: kabul)
        let kept = try queue.read {
            try String.fetchOne($0, sql: "SELECT state FROM set_aside WHERE record_id = ?", arguments: [id])
        }
        #expect(kept?.contains("Typed offline in Kabul") == true, "the unsynced edit was discarded")
        #expect(try cluster.plansync(kabul, "status").stdout.contains("set aside: 1"))
    }
}
