import Foundation
import NIOHTTP1
import PlanSyncTestSupport
import Testing

/// The pages on the real `plansync-server serve`: the central team writes through the server's desk, and
/// what an office wrote offline on `plansync ui` appears there after "Sync now".
@Suite("Pages on the server", .serialized)
struct ServerPageTests {
    static let plan = PageTests.plan
    static let activity = PageTests.activity

    @Test func aTokenSignsInWhileTheServerKnowsIt() async throws {
        let cluster = try Cluster()
        let token = try cluster.server.token(name: "temp", role: "admin")
        var browser = Browser(cluster.server.url)
        #expect(try await browser.signIn("ps_" + String(repeating: "0", count: 64)).status == 401)
        let signedIn = try await browser.signIn(token)
        #expect(signedIn.location == "/plans")
        let plans = try await browser.get("/plans")
        #expect(plans.status == 200)
        #expect(plans.body.contains(#"href="/plans/\#(Self.plan)""#))
        #expect(!plans.body.contains("sync-now"), "the server syncs with no one")
        // The JSON interface is untouched beside the pages.
        #expect(try await browser.get("/health").body.contains(#""status":"ok""#))

        try expectSuccess(run("plansync-server", ["token", "revoke"] + cluster.server.storage + ["--name", "temp"]))
        #expect(try await browser.get("/plans").location == "/", "a revoked token ends its session")
    }

    @Test func theCentralTeamResolvesAConflictAtTheServerAndReplicasSeeIt() async throws {
        let cluster = try Cluster()
        let token = try cluster.server.token(name: "coordinator", role: "admin")
        let first = try cluster.replica("first")
        let second = try cluster.replica("second")
        for replica in [first, second] { try cluster.sync(replica) }
        try expectSuccess(cluster.plansync(first, "set", Self.activity, "comment", "From the first desk"))
        try expectSuccess(cluster.plansync(second, "set", Self.activity, "comment", "From the second desk"))
        for replica in [first, second] { try cluster.sync(replica) }

        var browser = Browser(cluster.server.url)
        _ = try await browser.signIn(token)
        let page = try await browser.get("/conflicts")
        #expect(page.body.contains(#"data-record="\#(Self.activity)" data-field="comment">"#))
        let csrf = try #require(page.csrf)
        let kept = try await browser.post(
            "/conflicts/resolve",
            [("csrf", csrf), ("record", Self.activity), ("field", "comment"), ("value", "From the second desk")])
        #expect(kept.location == "/conflicts")
        let after = try await browser.get("/conflicts")
        #expect(after.count(#"<p class="flash" role="status">"#) == 1, "\(after.body)")
        #expect(after.count(#"<section class="decision""#) == 0)

        try cluster.sync(first)
        #expect(try cluster.plansync(first, "conflicts").stdout.contains("no conflicts"))
        let history = try cluster.plansync(first, "history", Self.activity).stdout
        #expect(history.contains("coordinator"), "the audit names the person: \(history)")
    }

    @Test func anOfficesOfflineReportReachesTheServersPagesAfterSyncNow() async throws {
        let cluster = try Cluster()
        let (kabul, officeToken) = try cluster.signedReplica("kabul", role: "office", office: "AFG")
        let adminToken = try cluster.server.token(name: "coordinator", role: "admin")
        let (port, data) = (cluster.server.port, cluster.server.data)
        cluster.server.stop()

        let ui = try PagesProcess.start(replica: kabul)
        var office = Browser(ui.url)
        _ = try await office.signIn(officeToken)
        let csrf = try #require(try await office.get("/plans").csrf)
        let written = try await office.post(
            "/reports",
            [
                ("csrf", csrf), ("activity", Self.activity), ("period", "2017-Q1"), ("status", "delayed"),
                ("narrative", "Webinars postponed to April"), ("language", "en"),
            ])
        #expect(written.location == "/reports?period=2017-Q1")
        let offline = try await office.post("/sync", [("csrf", csrf), ("back", "/plans")])
        #expect(try await office.get(try #require(offline.location)).count(#"<p class="error" role="alert">"#) == 1)

        let server = try ServerProcess.start(data: data, port: port)
        defer { server.stop() }
        let synced = try await office.post("/sync", [("csrf", csrf), ("back", "/plans")])
        let summary = try await office.get(try #require(synced.location))
        #expect(summary.body.contains("pushed 1 record(s)"), "\(summary.body)")

        var central = Browser(server.url)
        _ = try await central.signIn(adminToken)
        let reports = try await central.get("/reports?period=2017-Q1")
        #expect(reports.body.contains(#"<section class="office" data-office="AFG">"#))
        let consolidated = try await central.get("/reports/\(Self.plan)/2017-Q1?lang=en")
        #expect(consolidated.body.contains("Webinars postponed to April"))

        // The central team approves the period on the server; the office's replica learns it.
        let approved = try await central.post(
            "/reports/approval",
            [("csrf", try #require(reports.csrf)), ("office", "AFG"), ("period", "2017-Q1"), ("state", "approved")])
        #expect(approved.location == "/reports?period=2017-Q1")
        try cluster.sync(kabul)
        let list = try json(cluster.plansync(kabul, "report", "list", "--json").stdout) as! [[String: Any]]
        #expect(list.first?["approved"] as? Bool == true)
    }

    @Test func aTranslatorSeesItsLanguageFirstAndNoReportForms() async throws {
        let cluster = try Cluster()
        let token = try cluster.server.token(name: "traductrice", role: "translator", language: "fr")
        var browser = Browser(cluster.server.url)
        _ = try await browser.signIn(token)
        let translations = try await browser.get("/translations")
        let first = try #require(translations.body.range(of: #"data-language="[a-z]+""#, options: .regularExpression))
        #expect(translations.body[first] == #"data-language="fr""#)
        #expect(translations.body.contains(#"href="/translations/\#(Self.plan)/fr/export.xlf""#))
        let plan = try await browser.get("/plans/\(Self.plan)")
        #expect(plan.body.contains(#"data-id="\#(Self.activity)""#))
        #expect(!plan.body.contains("/reports/new"), "a translator writes no reports")
        #expect(try await browser.get("/reports/new?activity=\(Self.activity)").status == 403)
        let xliff = try await browser.get("/translations/\(Self.plan)/fr/export.xlf")
        #expect(xliff.body.contains(#"target-language="fr""#))
    }

    @Test func aViewerOnTheServerSeesNoFormThatWritesAndAForgedPostChangesNothing() async throws {
        let cluster = try Cluster()
        let token = try cluster.server.token(name: "auditor", role: "viewer")
        var browser = Browser(cluster.server.url)
        _ = try await browser.signIn(token)
        for path in [
            "/plans", "/plans/\(Self.plan)", "/plans/\(Self.plan)/activity/A.2", "/conflicts", "/reports",
            "/translations",
        ] {
            let page = try await browser.get(path)
            #expect(page.status == 200, "\(path)")
            #expect(!page.body.contains(#"class="write"#), "\(path)")
        }
        let admin = try cluster.replica("central")
        try cluster.sync(admin)
        let before = try cluster.dump(admin)
        let forged = try await browser.post(
            "/conflicts/resolve",
            [
                ("csrf", try #require(try await browser.get("/plans").csrf)), ("record", Self.activity),
                ("field", "comment"), ("value", "forged"),
            ])
        #expect(forged.status == 403)
        try cluster.sync(admin)
        #expect(try cluster.dump(admin) == before)
    }
}
