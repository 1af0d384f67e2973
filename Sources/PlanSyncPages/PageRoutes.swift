import Foundation
import Hummingbird
import PlanSyncCore
import PlanSyncWorkflows

/// The pages, added to any Hummingbird router: the server mounts them on its own, `plansync ui` on a plain one.
///
/// Every page needs a session (signed in with a token at `/`); every form that writes is a POST carrying the
/// session's CSRF token, answered by a redirect to a page that says in one line what was done (or refused).
/// What the pages write goes through PlanSyncWorkflows on the host's workspace for the signed-in person.
public struct PageRoutes: Sendable {
    let host: any PageHost
    let sessions: PageSessions
    let renderer: PageRenderer
    /// Whether the session cookie is `Secure` (the server runs TLS).
    let secureCookies: Bool

    public init(host: any PageHost, sessions: PageSessions = PageSessions(), secureCookies: Bool = false) throws {
        self.host = host
        self.sessions = sessions
        self.secureCookies = secureCookies
        renderer = try PageRenderer()
    }

    public func add<Context: RequestContext>(to router: Router<Context>) {
        router.get("/") { request, _ in try await signInPage(request) }
        router.post("/signin") { request, _ in try await signIn(request) }
        router.get("/signout") { request, _ in signOut(request) }
        router.get("/language/:code") { request, context in
            language(request, code: context.parameters.get("code") ?? "")
        }
        router.get("/plans") { request, _ in try await page(request, plansPage) }
        router.get("/plans/:plan") { request, context in
            let plan = context.parameters.get("plan") ?? ""
            return try await page(request) { try await planPage($0, plan: plan) }
        }
        router.get("/plans/:plan/activity/**") { request, context in
            let plan = context.parameters.get("plan") ?? ""
            // `/plans/PLAN/activity/CODE`, or with the activity's whole id after `activity/`.
            let rest = context.parameters.getCatchAll().joined(separator: "/")
            let id = rest.hasPrefix(plan + "/") ? rest : "\(plan)/\(rest)"
            return try await page(request) { try await activityPage($0, id: id) }
        }
        router.get("/conflicts") { request, _ in try await page(request, decisionsPage) }
        router.post("/conflicts/resolve") { request, _ in try await write(request, resolve) }
        router.post("/conflicts/accept") { request, _ in
            try await write(request) { try await decideHeld($0, $1, accept: true) }
        }
        router.post("/conflicts/dismiss") { request, _ in
            try await write(request) { try await decideHeld($0, $1, accept: false) }
        }
        router.get("/reports") { request, _ in try await page(request, reportsPage) }
        router.get("/reports/new") { request, _ in try await page(request, reportForm) }
        router.post("/reports") { request, _ in try await write(request, writeReport) }
        router.post("/reports/approval") { request, _ in try await write(request, setApproval) }
        router.get("/reports/:plan/:period") { request, context in
            let (plan, period) = (context.parameters.get("plan") ?? "", context.parameters.get("period") ?? "")
            return try await page(request) { try await consolidatedPage($0, plan: plan, period: period) }
        }
        for format in ["html", "csv"] {
            router.get("/reports/:plan/:period/report.\(format)") { request, context in
                let (plan, period) = (context.parameters.get("plan") ?? "", context.parameters.get("period") ?? "")
                return try await download(request) {
                    try await consolidatedFile($0, plan: plan, period: period, format: format)
                }
            }
        }
        router.get("/translations") { request, _ in try await page(request, translationsPage) }
        router.get("/translations/:plan/:language/review") { request, context in
            let (plan, language) = (context.parameters.get("plan") ?? "", context.parameters.get("language") ?? "")
            return try await page(request) { try await reviewPage($0, plan: plan, language: language) }
        }
        router.get("/translations/:plan/:language/export.xlf") { request, context in
            let (plan, language) = (context.parameters.get("plan") ?? "", context.parameters.get("language") ?? "")
            return try await download(request) { try await xliffFile($0, plan: plan, language: language) }
        }
        router.post("/sync") { request, _ in try await write(request, syncNow) }
    }
}

/// One request of a signed-in person: who, where they work, and in which language.
struct PageVisit: Sendable {
    let request: Request
    let session: String
    let csrf: String
    let principal: Principal
    let workspace: any Workspace
    let strings: PageStrings

    /// Whether the pages offer this person forms that write at all: a viewer's pages have none.
    var canWrite: Bool { principal.refusalOfEveryWrite == nil }
    /// Whether this person writes reports (an office its own, the central team any office's), as the core decides.
    var writesReports: Bool { ReportWrites.reportRefusal(for: principal, schema: workspace.schema) == nil }
    /// Whether this person approves and reopens an office's period, as the core decides.
    var approves: Bool { ReportWrites.approvalRefusal(for: principal, schema: workspace.schema) == nil }
    /// Whether a report form names its office: the token belongs to no office (`ReportWrites.office`).
    var namesOffice: Bool { principal.office == nil }
    var language: String { strings.language }
}

/// A page's content, for the layout.
struct PageContent {
    var title: String
    var body: String
    var status: HTTPResponse.Status = .ok
}

/// A page's own refusal of what was asked (an unknown plan, a bad period), shown as one line.
struct PageRefusal: Error, CustomStringConvertible {
    let status: HTTPResponse.Status
    let description: String

    static func notFound(_ description: String) -> PageRefusal {
        PageRefusal(status: .notFound, description: description)
    }
    static func badRequest(_ description: String) -> PageRefusal {
        PageRefusal(status: .badRequest, description: description)
    }
}

/// What a write did, shown on the page it leads back to.
struct WriteOutcome {
    var back: String
    var notice: Notice
}

/// A write refused before anything was done: where to go back to, and why.
struct WriteRefusal: Error {
    var back: String
    var notice: Notice
}
