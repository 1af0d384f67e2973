import Foundation
import NIOHTTP1
import PlanSyncTestSupport
import Testing

/// The pages served by the real `plansync ui` over real replicas, driven over HTTP as a browser would.
@Suite("Pages", .serialized)
struct PageTests {
    static let plan = "iasc-protection-policy"
    static let activity = "iasc-protection-policy/A.2"

    @Test func signInWithTheReplicasTokenOnly() async throws {
        let cluster = try Cluster()
        let token = try cluster.server.token(name: "kabul", role: "office", office: "AFG")
        let replica = try cluster.replica("kabul", token: token)
        try cluster.sync(replica)
        let ui = try PagesProcess.start(replica: replica)
        var browser = Browser(ui.url)

        let form = try await browser.get("/")
        #expect(form.status == 200)
        #expect(form.body.contains(#"<form method="post" action="/signin">"#))
        #expect(form.body.contains(#"<input type="password" name="token" id="token""#))
        #expect(form.body.contains(#"<button type="submit">"#))
        #expect(try await browser.get("/plans").location == "/")

        let other = try cluster.server.token(name: "erbil", role: "office", office: "IRQ")
        for wrong in [other, "not-a-token", ""] {
            let refused = try await browser.signIn(wrong)
            #expect(refused.status == 401)
            #expect(refused.count(#"<p class="error" role="alert">"#) == 1)
            #expect(browser.cookies["plansync_session"] == nil)
        }

        let signedIn = try await browser.signIn(token)
        #expect(signedIn.status == 303)
        #expect(signedIn.location == "/plans")
        let cookie = try #require(signedIn.headers["Set-Cookie"].first { $0.hasPrefix("plansync_session=") })
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"))
        #expect(!cookie.contains("Secure"))
        #expect(browser.cookies["plansync_session"]?.count == 64)
        #expect(try await browser.get("/").location == "/plans")
        let plans = try await browser.get("/plans")
        #expect(plans.status == 200)
        #expect(plans.body.contains(#"href="/plans/\#(Self.plan)""#))

        #expect(try await browser.get("/signout").location == "/")
        #expect(try await browser.get("/plans").location == "/")
    }

    @Test func aWriteWithoutTheFormsCSRFTokenIsRefusedAndChangesNothing() async throws {
        let cluster = try Cluster()
        let (replica, token) = try cluster.signedReplica("kabul", role: "office", office: "AFG")
        let ui = try PagesProcess.start(replica: replica)
        var browser = Browser(ui.url)
        _ = try await browser.signIn(token)
        let page = try await browser.get("/reports/new?activity=\(Self.activity)&period=2017-Q1")
        let csrf = try #require(page.csrf)
        let fields = [
            ("activity", Self.activity), ("period", "2017-Q1"), ("status", "on-track"), ("narrative", "Two webinars"),
            ("indicators", ""), ("language", "en"),
        ]
        for forged in [fields, fields + [("csrf", String(csrf.reversed()))], fields + [("csrf", "")]] {
            let refused = try await browser.post("/reports", forged)
            #expect(refused.status == 403)
            #expect(refused.count(#"<p class="error" role="alert">"#) == 1)
        }
        let before = try cluster.dump(replica)
        #expect(!before.contains(#""collection" : "report""#))

        let written = try await browser.post("/reports", fields + [("csrf", csrf)])
        #expect(written.status == 303)
        #expect(try cluster.dump(replica).contains(#""collection" : "report""#))
    }

    @Test func aPostFromAnotherSiteIsRefusedAndChangesNothing() async throws {
        let cluster = try Cluster()
        let (replica, token) = try cluster.signedReplica("kabul", role: "office", office: "AFG")
        let ui = try PagesProcess.start(replica: replica)
        var browser = Browser(ui.url)
        let elsewhere = [("Origin", "http://elsewhere.example")]
        for headers in [elsewhere, [("Sec-Fetch-Site", "cross-site")], [("Origin", "null")]] {
            let signIn = try await browser.post("/signin", [("token", token)], headers: headers)
            #expect(signIn.status == 403, "\(headers)")
            #expect(signIn.count(#"<p class="error" role="alert">"#) == 1)
            #expect(browser.cookies["plansync_session"] == nil, "\(headers) signed in")
        }
        let signedIn = try await browser.post("/signin", [("token", token)], headers: [("Origin", ui.url)])
        #expect(signedIn.location == "/plans")
        let csrf = try #require(try await browser.get("/plans").csrf)
        let fields = [("csrf", csrf), ("activity", Self.activity), ("period", "2017-Q1"), ("status", "on-track")]
        let before = try cluster.dump(replica)
        for headers in [elsewhere, [("Sec-Fetch-Site", "cross-site"), ("Origin", ui.url)]] {
            let refused = try await browser.post("/reports", fields, headers: headers)
            #expect(refused.status == 403, "\(headers)")
            #expect(refused.count(#"<p class="error" role="alert">"#) == 1)
        }
        #expect(try cluster.dump(replica) == before)
        let sameSite = [("Origin", ui.url), ("Sec-Fetch-Site", "same-origin")]
        #expect(try await browser.post("/reports", fields, headers: sameSite).location == "/reports?period=2017-Q1")
        #expect(try await browser.post("/sync", [("csrf", csrf), ("back", "/plans")]).location == "/plans")
        #expect(try cluster.dump(replica).contains(#""collection" : "report""#))
    }

    /// A cluster whose central team filed office AFG's 2017-Q1 report on `activity` and synced it to the server.
    static func clusterWithAReport() throws -> Cluster {
        let cluster = try Cluster()
        let central = try cluster.replica("central")
        try cluster.sync(central)
        try expectSuccess(
            cluster.plansync(
                central, "report", "add", "--activity", activity, "--office", "AFG", "--period", "2017-Q1",
                "--status", "on-track"))
        try cluster.sync(central)
        return cluster
    }

    @Test func aViewerSeesNoFormThatWritesAndAForgedPostIsRefused() async throws {
        let cluster = try Self.clusterWithAReport()
        let (viewer, token) = try cluster.signedReplica("auditor", role: "viewer")
        let ui = try PagesProcess.start(replica: viewer)
        var browser = Browser(ui.url)
        _ = try await browser.signIn(token)
        let pages = try await Self.everyPage(&browser, period: "2017-Q1")
        for (path, page) in pages {
            // The report form is refused to a viewer outright.
            #expect(page.status == (path.hasPrefix("/reports/new") ? 403 : 200), "\(path)")
            #expect(!page.body.contains(#"class="write"#), "\(path) offers a viewer a form that writes")
            #expect(!page.body.contains("sync-now"), "\(path)")
        }
        // The session's CSRF token is real (the viewer's own, from the page), but the role writes nothing.
        let session = try #require(try await browser.get("/plans").csrf)
        let before = try cluster.dump(viewer)
        let approval = try await browser.post(
            "/reports/approval", [("csrf", session), ("office", "AFG"), ("period", "2017-Q1"), ("state", "approved")])
        #expect(approval.status == 403)
        let report = try await browser.post(
            "/reports",
            [
                ("csrf", session), ("activity", Self.activity), ("period", "2017-Q1"), ("status", "delayed"),
                ("office", "AFG"),
            ])
        #expect(report.status == 403)
        #expect(try cluster.dump(viewer) == before)
        #expect(try cluster.plansync(viewer, "status").stdout.contains("queued records: 0"))
    }

    @Test func anOfficeWritesAReportOfflineAndSeesItInTheReplica() async throws {
        let cluster = try Cluster()
        let (replica, token) = try cluster.signedReplica("kabul", role: "office", office: "AFG")
        cluster.server.stop()
        let ui = try PagesProcess.start(replica: replica)
        var browser = Browser(ui.url)
        _ = try await browser.signIn(token)

        let form = try await browser.get("/reports/new?activity=\(Self.activity)&period=2017-Q1")
        #expect(form.status == 200)
        #expect(form.count(#"<form class="write" method="post" action="/reports">"#) == 1)
        #expect(!form.body.contains(#"name="office""#), "an office writes its own reports")
        for control in [
            #"<select id="status" name="status">"#, #"<textarea id="narrative" name="narrative""#,
            #"<textarea id="indicators" name="indicators""#, #"<select id="language" name="language">"#,
        ] {
            #expect(form.body.contains(control), "\(control)")
        }
        let csrf = try #require(form.csrf)

        let bad = try await browser.post(
            "/reports",
            [("csrf", csrf), ("activity", Self.activity), ("period", "2017 Q1"), ("status", "on-track")])
        #expect(bad.status == 303)
        let refusedPage = try await browser.get(try #require(bad.location))
        #expect(refusedPage.count(#"<p class="error" role="alert">"#) == 1)
        #expect(refusedPage.body.contains("2017 Q1"))

        let written = try await browser.post(
            "/reports",
            [
                ("csrf", csrf), ("activity", Self.activity), ("period", "2017-Q1"), ("status", "delayed"),
                ("narrative", "Two webinars postponed\r\nto April"), ("indicators", "sessions=0\r\nparticipants=0"),
                ("language", "en"),
            ])
        #expect(written.status == 303)
        #expect(written.location == "/reports?period=2017-Q1")
        let reports = try await browser.get("/reports?period=2017-Q1")
        #expect(reports.count(#"<p class="flash" role="status">"#) == 1)
        #expect(reports.body.contains(#"data-office="AFG""#))

        let list = try json(cluster.plansync(replica, "report", "list", "--json").stdout) as! [[String: Any]]
        #expect(list.count == 1)
        #expect(list.first?["id"] as? String == "\(Self.activity)/report/AFG/2017-Q1")
        #expect(list.first?["status"] as? String == "delayed")
        #expect(list.first?["narrative"] as? String == "Two webinars postponed\nto April")
        #expect(list.first?["indicators"] as? [String] == ["participants=0", "sessions=0"])

        // "Sync now" with the server down says so in one line; the pages go on working.
        let sync = try await browser.post("/sync", [("csrf", csrf), ("back", "/reports?period=2017-Q1")])
        #expect(sync.status == 303)
        let failed = try await browser.get(try #require(sync.location))
        #expect(failed.count(#"<p class="error" role="alert">"#) == 1)
        #expect(failed.body.contains("nothing was lost"))
        #expect(try await browser.get("/plans").status == 200)
    }

    @Test func syncNowPushesWhatThePagesWrote() async throws {
        let cluster = try Cluster()
        let (replica, token) = try cluster.signedReplica("kabul", role: "office", office: "AFG")
        let central = try cluster.replica("central")
        let ui = try PagesProcess.start(replica: replica)
        var browser = Browser(ui.url)
        _ = try await browser.signIn(token)
        let csrf = try #require(try await browser.get("/plans").csrf)
        #expect(try await browser.get("/plans").count(#"<button type="submit" id="sync-now">"#) == 1)
        _ = try await browser.post(
            "/reports", [("csrf", csrf), ("activity", Self.activity), ("period", "2017-Q2"), ("status", "completed")])
        let sync = try await browser.post("/sync", [("csrf", csrf), ("back", "/plans")])
        #expect(sync.location == "/plans")
        let done = try await browser.get("/plans")
        #expect(done.count(#"<p class="flash" role="status">"#) == 1)
        #expect(done.body.contains("pushed 1 record(s)"))
        try cluster.sync(central)
        let list = try json(cluster.plansync(central, "report", "list", "--json").stdout) as! [[String: Any]]
        #expect(list.map { $0["id"] as? String } == ["\(Self.activity)/report/AFG/2017-Q2"])
    }

    @Test func theDecisionsPageResolvesAConflictMadeOffline() async throws {
        let cluster = try Cluster()
        let (first, token) = try cluster.signedReplica("central", role: "admin")
        let second = try cluster.replica("deputy")
        try cluster.sync(second)
        try expectSuccess(cluster.plansync(first, "set", Self.activity, "comment", "From the first desk"))
        try expectSuccess(cluster.plansync(second, "set", Self.activity, "comment", "From the second desk"))
        try cluster.sync(second)
        try cluster.sync(first)
        let open = try json(cluster.plansync(first, "conflicts", "--json").stdout) as! [[String: Any]]
        #expect(open.count == 1)

        let ui = try PagesProcess.start(replica: first)
        var browser = Browser(ui.url)
        _ = try await browser.signIn(token)
        let page = try await browser.get("/conflicts")
        #expect(page.count(#"<section class="decision""#) == open.count)
        #expect(page.body.contains(#"<strong id="decision-count">\#(open.count)</strong>"#))
        #expect(page.body.contains(#"data-record="\#(Self.activity)" data-field="comment">"#))
        #expect(page.count(#"<form class="write" method="post" action="/conflicts/resolve">"#) == 3)
        #expect(page.body.contains(#"<label for="value-0">"#))

        let kept = try await browser.post(
            "/conflicts/resolve",
            [
                ("csrf", try #require(page.csrf)), ("record", Self.activity), ("field", "comment"), ("language", ""),
                ("value", "From the second desk"),
            ])
        #expect(kept.location == "/conflicts")
        let after = try await browser.get("/conflicts")
        #expect(after.count(#"<p class="flash" role="status">"#) == 1)
        #expect(after.count(#"<section class="decision""#) == 0)
        #expect(try cluster.plansync(first, "conflicts").stdout.contains("no conflicts"))
        let shown = try cluster.plansync(first, "show", Self.activity).stdout
        #expect(shown.contains("From the second desk") && !shown.contains("From the first desk"))
    }

    @Test func theCentralTeamApprovesAPeriodAndAcceptsAnOfficesHeldEdit() async throws {
        let cluster = try Cluster()
        let (central, token) = try cluster.signedReplica("central", role: "admin")
        let (kabul, _) = try cluster.signedReplica("kabul", role: "office", office: "AFG")
        try expectSuccess(
            cluster.plansync(
                kabul, "report", "add", "--activity", Self.activity, "--period", "2017-Q1", "--status", "on-track"))
        try cluster.sync(kabul)
        let ui = try PagesProcess.start(replica: central)
        var browser = Browser(ui.url)
        _ = try await browser.signIn(token)
        let csrf = try #require(try await browser.get("/plans").csrf)
        _ = try await browser.post("/sync", [("csrf", csrf), ("back", "/reports?period=2017-Q1")])

        let reports = try await browser.get("/reports?period=2017-Q1")
        #expect(reports.body.contains(#"<section class="office" data-office="AFG">"#))
        let approved = try await browser.post(
            "/reports/approval", [("csrf", csrf), ("office", "AFG"), ("period", "2017-Q1"), ("state", "approved")])
        #expect(approved.location == "/reports?period=2017-Q1")
        let after = try await browser.get("/reports?period=2017-Q1")
        #expect(after.count(#"<p class="flash" role="status">"#) == 1)
        #expect(after.body.contains(#"<button type="submit" name="state" value="open""#))
        _ = try await browser.post("/sync", [("csrf", csrf), ("back", "/plans")])

        // The office edits its report before the approval reaches it: the server holds the edit.
        try expectSuccess(
            cluster.plansync(
                kabul, "report", "add", "--activity", Self.activity, "--period", "2017-Q1", "--status", "delayed"))
        try cluster.sync(kabul)
        _ = try await browser.post("/sync", [("csrf", csrf), ("back", "/conflicts")])
        let decisions = try await browser.get("/conflicts")
        let report = "\(Self.activity)/report/AFG/2017-Q1"
        #expect(decisions.body.contains(#"<section class="decision" data-record="\#(report)">"#))
        let held = try #require(
            decisions.body.range(of: #"name="held" value="[^"]+""#, options: .regularExpression).map {
                String(decisions.body[$0].dropFirst(#"name="held" value=""#.count).dropLast())
            })
        let accepted = try await browser.post("/conflicts/accept", [("csrf", csrf), ("held", held)])
        #expect(accepted.location == "/conflicts")
        let done = try await browser.get("/conflicts")
        #expect(done.count(#"<p class="flash" role="status">"#) == 1)
        #expect(done.count(#"<section class="decision""#) == 0)
        let list = try json(cluster.plansync(central, "report", "list", "--json").stdout) as! [[String: Any]]
        #expect(list.first?["status"] as? String == "delayed")
        #expect(list.first?["approved"] as? Bool == true)
    }

    @Test func arabicPagesRunRightToLeftAndTheLanguageFollowsTheBrowser() async throws {
        let cluster = try Cluster()
        let (replica, token) = try cluster.signedReplica("central", role: "admin")
        let ui = try PagesProcess.start(replica: replica)
        var browser = Browser(ui.url)
        _ = try await browser.signIn(token)
        #expect(try await browser.get("/plans").body.contains(#"<html lang="en" dir="ltr">"#))
        browser.acceptLanguage = "fr-CH, fr;q=0.9, en;q=0.8"
        #expect(try await browser.get("/plans").body.contains(#"<html lang="fr" dir="ltr">"#))

        let plans = try await browser.get("/plans")
        #expect(plans.body.contains(#"<a href="/language/ar?back=/plans" hreflang="ar""#))
        let switched = try await browser.get("/language/ar?back=/plans/\(Self.plan)")
        #expect(switched.location == "/plans/\(Self.plan)")
        #expect(browser.cookies["plansync_lang"] == "ar")
        for path in ["/plans", "/plans/\(Self.plan)", "/conflicts", "/reports", "/translations"] {
            let page = try await browser.get(path)
            #expect(page.body.contains(#"<html lang="ar" dir="rtl">"#), "\(path)")
            #expect(page.body.contains("الخطط"), "\(path)")
        }
        #expect(try await browser.get("/language/ar?back=//elsewhere.example").location == "/")
    }

    @Test func everyPageIsSmallSelfContainedAndLabelled() async throws {
        let cluster = try Cluster()
        let (replica, token) = try cluster.signedReplica("central", role: "admin")
        try expectSuccess(
            cluster.plansync(
                replica, "report", "add", "--activity", Self.activity, "--office", "AFG", "--period", "2017-Q1",
                "--status", "on-track", "--text", "Two webinars held", "--indicator", "sessions=2"))
        let ui = try PagesProcess.start(replica: replica)
        var browser = Browser(ui.url)
        _ = try await browser.signIn(token)
        let pages = try await Self.everyPage(&browser, period: "2017-Q1")
        #expect(pages.count >= 9)
        for (path, page) in pages {
            #expect(page.status == 200, "\(path): \(page.body.prefix(500))")
            #expect(page.body.utf8.count < 100_000, "\(path) is \(page.body.utf8.count) bytes")
            #expect(page.body.contains(#"<meta name="viewport" content="width=device-width, initial-scale=1">"#))
            // Nothing is fetched from elsewhere: no script, no stylesheet link, no address of another site.
            for fetched in ["<script", "<link", #"src="http"#, #"href="http"#, "url(http"] {
                #expect(!page.body.contains(fetched), "\(path) holds \(fetched)")
            }
            for path in ["/plans", "/conflicts", "/reports", "/translations", "/signout"] {
                #expect(page.body.contains(#"href="\#(path)""#))
            }
            // Every control a person fills in has a label.
            for id in Self.ids(ofControlsIn: page.body) {
                #expect(page.body.contains(#"<label for="\#(id)""#), "\(path): no label for #\(id)")
            }
        }
        let reports = try #require(pages.first { $0.0.hasPrefix("/reports?") }?.1)
        #expect(reports.body.contains(#"<section class="office" data-office="AFG">"#))
        #expect(reports.body.contains(#"<button type="submit" name="state" value="approved">"#))
        let consolidated = try #require(pages.first { $0.0.hasPrefix("/reports/\(Self.plan)") }?.1)
        #expect(consolidated.body.contains("Two webinars held"))
        #expect(consolidated.body.contains(#"href="/reports/\#(Self.plan)/2017-Q1/report.csv?lang=en""#))
        let csv = try await browser.get("/reports/\(Self.plan)/2017-Q1/report.csv?lang=en")
        #expect(csv.headers.first(name: "Content-Type")?.hasPrefix("text/csv") == true)
        #expect(csv.body.contains("Two webinars held"))
        let xliff = try await browser.get("/translations/\(Self.plan)/fr/export.xlf")
        #expect(xliff.body.contains(#"<xliff version="1.2""#))
        let plan = try #require(pages.first { $0.0.hasPrefix("/plans/\(Self.plan)?") }?.1)
        #expect(plan.body.contains(#"data-id="\#(Self.activity)""#))
    }

    // MARK: - Helpers

    /// Every page a signed-in person reaches from the navigation, with the paths asked for.
    static func everyPage(_ browser: inout Browser, period: String) async throws -> [(String, Browser.Page)] {
        var pages: [(String, Browser.Page)] = []
        for path in [
            "/plans", "/plans/\(plan)?period=\(period)", "/plans/\(plan)/activity/A.2", "/conflicts",
            "/reports?period=\(period)", "/reports/\(plan)/\(period)?lang=en", "/translations",
            "/translations/\(plan)/ar/review", "/reports/new?activity=\(activity)&period=\(period)",
        ] {
            pages.append((path, try await browser.get(path)))
        }
        return pages
    }

    /// The ids of the inputs, selects and textareas a person fills in (hidden inputs aside).
    static func ids(ofControlsIn html: String) -> [String] {
        let pattern = #"<(input|select|textarea)\b[^>]*>"#
        let regex = try! NSRegularExpression(pattern: pattern)
        return regex.matches(in: html, range: NSRange(html.startIndex..., in: html)).compactMap { match in
            let tag = String(html[Range(match.range, in: html)!])
            guard !tag.contains(#"type="hidden""#) else { return nil }
            guard let id = tag.range(of: #"id="[^"]+""#, options: .regularExpression) else { return "(no id)" }
            return String(tag[id].dropFirst(4).dropLast())
        }
    }
}
