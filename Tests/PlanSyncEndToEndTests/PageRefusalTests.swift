import Foundation
import PlanSyncTestSupport
import Testing

/// Callers of the pages that lie or err — another office's code, a role's forbidden route, a field the schema
/// lacks, a missing CSRF token, a body too large — against the real `plansync ui`: each is refused in one line,
/// and the replica's dump is what it was.
@Suite("Pages refuse what a caller may not do", .serialized)
struct PageRefusalTests {
    static let plan = PageTests.plan
    static let activity = PageTests.activity
    static let report = "\(activity)/report/AFG/2017-Q1"

    struct Case: Sendable, CustomTestStringConvertible {
        enum Role: String, Sendable { case office, admin }
        var name: String
        var role: Role
        var path: String
        /// The form posted (the session's CSRF token added unless `csrf` is false); nil: a GET.
        var fields: [(String, String)]?
        var csrf = true
        /// A body posted as it is, in place of `fields`.
        var encoded: String?
        /// Where a refused link goes instead, when the refusal is a redirect home rather than a line.
        var redirect: String?

        var testDescription: String { name }
    }

    static let report2017Q1 = [("activity", activity), ("period", "2017-Q1"), ("status", "delayed")]

    static let cases: [Case] = [
        Case(name: "an office reports for another office", role: .office, path: "/reports",
             fields: report2017Q1 + [("office", "IRQ")]),
        Case(name: "an office approves its own period", role: .office, path: "/reports/approval",
             fields: [("office", "AFG"), ("period", "2017-Q1"), ("state", "approved")]),
        Case(name: "an office accepts a held edit", role: .office, path: "/conflicts/accept",
             fields: [("held", report)]),
        Case(name: "a report on an unknown activity", role: .office, path: "/reports",
             fields: [("activity", "\(plan)/Z.9"), ("period", "2017-Q1"), ("status", "on-track")]),
        Case(name: "a narrative that does not decode", role: .office, path: "/reports",
             encoded: "activity=\(activity)&period=2017-Q1&status=on-track&narrative=50%+done"),
        Case(name: "a body over the limit", role: .office, path: "/reports",
             fields: report2017Q1 + [("narrative", String(repeating: "long ", count: 60_000))]),
        Case(name: "a field the schema lacks", role: .admin, path: "/conflicts/resolve",
             fields: [("record", activity), ("field", "no_such_field"), ("value", "x")]),
        Case(name: "a language the schema lacks", role: .admin, path: "/conflicts/resolve",
             fields: [("record", activity), ("field", "title"), ("language", "xx"), ("value", "x")]),
        Case(name: "a plan's page for a bad period", role: .admin, path: "/plans/\(plan)?period=2017-13"),
        Case(name: "the reports for a bad period", role: .admin, path: "/reports?period=2017%20Q1"),
        Case(name: "sync now without the csrf token", role: .admin, path: "/sync", fields: [("back", "/plans")],
             csrf: false),
        Case(name: "a resolution without the csrf token", role: .admin, path: "/conflicts/resolve",
             fields: [("record", activity), ("field", "comment"), ("value", "x")], csrf: false),
        Case(name: "an approval without the csrf token", role: .admin, path: "/reports/approval",
             fields: [("office", "AFG"), ("period", "2017-Q1"), ("state", "approved")], csrf: false),
        Case(name: "a language link back to /<TAB>/host", role: .admin, path: "/language/ar?back=/%09/x",
             redirect: "/"),
    ]

    @Test(arguments: cases)
    func isRefusedAndChangesNothing(_ item: Case) async throws {
        let cluster = try PageTests.clusterWithAReport()
        let (replica, token) =
            item.role == .office
            ? try cluster.signedReplica("kabul", role: "office", office: "AFG")
            : try cluster.signedReplica("deputy", role: "admin")
        let ui = try PagesProcess.start(replica: replica)
        defer { ui.stop() }
        var browser = Browser(ui.url)
        #expect(try await browser.signIn(token).location == "/plans")
        let csrf = try #require(try await browser.get("/plans").csrf)
        let before = try cluster.dump(replica)

        let answer: Browser.Page
        if let encoded = item.encoded {
            answer = try await browser.post(item.path, encoded: "csrf=\(csrf)&" + encoded)
        } else if let fields = item.fields {
            answer = try await browser.post(item.path, (item.csrf ? [("csrf", csrf)] : []) + fields)
        } else {
            answer = try await browser.get(item.path)
        }
        if let redirect = item.redirect {
            #expect(answer.location == redirect)
        } else if answer.status == 303 {
            // A refused write goes back to a page that says why, once.
            let location = try #require(answer.location)
            #expect(location.hasPrefix("/") && !location.hasPrefix("//"), "\(location)")
            let page = try await browser.get(location)
            #expect(page.count(#"<p class="error" role="alert">"#) == 1, "\(location): \(page.body.prefix(2000))")
            #expect(page.count(#"<p class="flash" role="status">"#) == 0)
        } else {
            #expect((400..<500).contains(answer.status), "\(answer.status)")
            #expect(answer.count(#"<p class="error" role="alert">"#) == 1, "\(answer.body.prefix(2000))")
        }
        #expect(try cluster.dump(replica) == before)
        #expect(try cluster.plansync(replica, "status").stdout.contains("queued records: 0"))
    }
}
