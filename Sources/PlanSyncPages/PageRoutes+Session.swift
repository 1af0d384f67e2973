import Foundation
import HTTPTypes
import Hummingbird
import PlanSyncCore

extension PageRoutes {
    static let sessionCookie = "plansync_session"
    static let languageCookie = "plansync_lang"

    // MARK: - Signing in and out

    func signInPage(_ request: Request) async throws -> Response {
        if try await visit(request) != nil { return PageResponse.redirect("/plans") }
        return signInForm(request, error: nil)
    }

    func signIn(_ request: Request) async throws -> Response {
        try await posting(request) { form, strings in
            let token = form["token"]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            guard !token.isEmpty, try await host.principal(token: token) != nil else {
                return signInForm(request, error: strings[.badToken], status: .unauthorized)
            }
            if let old = request.cookies[Self.sessionCookie]?.value { sessions.end(old) }
            let id = sessions.start(token: token)
            return PageResponse.redirect("/plans", cookies: [sessionCookie(id)])
        }
    }

    func signOut(_ request: Request) -> Response {
        if let id = request.cookies[Self.sessionCookie]?.value { sessions.end(id) }
        return PageResponse.redirect("/", cookies: [sessionCookie("", maxAge: 0)])
    }

    private func signInForm(_ request: Request, error: String?, status: HTTPResponse.Status = .ok) -> Response {
        let strings = PageStrings(language: request.pageLanguage)
        var model: [String: Any] = ["t": strings.words]
        if let error { model["error"] = error }
        let body = renderer.render("signin", model)
        let layout = Layout(strings: strings, title: strings[.signIn], path: "/", body: body)
        return PageResponse.html(renderer.page(layout), status: status)
    }

    /// Sets the language cookie and goes back to the page the link was on.
    func language(_ request: Request, code: String) -> Response {
        let back = Self.localPath(request.uri.queryParameters.get("back")) ?? "/"
        guard PageStrings.languages.contains(code) else { return PageResponse.redirect(back) }
        let cookie = "\(Self.languageCookie)=\(code); Path=/; Max-Age=31536000; HttpOnly; SameSite=Strict"
        return PageResponse.redirect(back, cookies: [cookie + (secureCookies ? "; Secure" : "")])
    }

    private func sessionCookie(_ value: String, maxAge: Int? = nil) -> String {
        var cookie = "\(Self.sessionCookie)=\(value); Path=/; HttpOnly; SameSite=Strict"
        if let maxAge { cookie += "; Max-Age=\(maxAge)" }
        if secureCookies { cookie += "; Secure" }
        return cookie
    }

    /// A path on this site to go back to, or nil: never another site's (`//host`), nor a header's end. Browsers
    /// drop tabs and line breaks from a `Location` and read `\` as `/`, so `/<TAB>/host` or `/\host` would
    /// lead to another site: no control character and no backslash is kept anywhere in the path.
    static func localPath(_ text: String?) -> String? {
        guard let text, text.hasPrefix("/"), !text.hasPrefix("//"),
            !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == "\\" }),
            !text.contains(where: \.isNewline)
        else { return nil }
        return text
    }

    // MARK: - Sessions

    /// The signed-in person of this request, or nil: no session, an expired one, or a token the host no longer
    /// knows (which ends the session).
    func visit(_ request: Request) async throws -> PageVisit? {
        guard let id = request.cookies[Self.sessionCookie]?.value, let session = sessions.session(id) else {
            return nil
        }
        guard let principal = try await host.principal(token: session.token) else {
            sessions.end(id)
            return nil
        }
        return PageVisit(
            request: request, session: id, csrf: session.csrf, principal: principal,
            workspace: try await host.workspace(for: principal), strings: PageStrings(language: request.pageLanguage))
    }

    /// A page for a signed-in person (else a redirect to the sign-in form), inside the layout.
    func page(_ request: Request, _ build: (PageVisit) async throws -> PageContent) async throws -> Response {
        guard let visit = try await visit(request) else { return PageResponse.redirect("/") }
        var content: PageContent
        do {
            content = try await build(visit)
        } catch let refusal as PageRefusal {
            content = refusalContent(visit.strings, refusal.description, status: refusal.status)
        } catch {
            content = refusalContent(visit.strings, Self.line(error), status: .badRequest)
        }
        return PageResponse.html(layout(visit, content), status: content.status)
    }

    /// A file for a signed-in person: a download, or the page saying why there is none.
    func download(_ request: Request, _ build: (PageVisit) async throws -> Response) async throws -> Response {
        guard let visit = try await visit(request) else { return PageResponse.redirect("/") }
        do {
            return try await build(visit)
        } catch let refusal as PageRefusal {
            let content = refusalContent(visit.strings, refusal.description, status: refusal.status)
            return PageResponse.html(layout(visit, content), status: content.status)
        } catch {
            let content = refusalContent(visit.strings, Self.line(error), status: .badRequest)
            return PageResponse.html(layout(visit, content), status: content.status)
        }
    }

    func layout(_ visit: PageVisit, _ content: PageContent) -> String {
        renderer.page(
            Layout(
                strings: visit.strings, title: content.title, path: visit.request.pagePath, body: content.body,
                person: visit.principal.name, csrf: visit.csrf, canSync: host.sync != nil && visit.canWrite,
                notice: sessions.takeNotice(of: visit.session)))
    }

    private func refusalContent(_ strings: PageStrings, _ line: String, status: HTTPResponse.Status) -> PageContent {
        PageContent(
            title: strings[.refused],
            body: renderer.render("refused", ["text": strings[.refused], "detail": line]), status: status)
    }

    // MARK: - Writes

    /// A form that writes: refused with 403 and nothing done unless the session is live, the form carries the
    /// session's CSRF token, and the person's role writes at all; then done, and answered by a redirect to a
    /// page that says in one line what was done or why nothing was.
    func write(_ request: Request, _ action: (PageVisit, PageForm) async throws -> WriteOutcome) async throws
        -> Response
    {
        try await posting(request) { form, strings in
            guard let visit = try await visit(request) else {
                return forbidden(strings, "not signed in: sign in at / first")
            }
            guard let csrf = form["csrf"], Secrets.equal(csrf, visit.csrf) else {
                return forbidden(strings, "the form's csrf token is missing or wrong: reload the page and try again")
            }
            if let refusal = visit.principal.refusalOfEveryWrite { return forbidden(strings, refusal) }
            do {
                let outcome = try await action(visit, form)
                sessions.post(outcome.notice, to: visit.session)
                return PageResponse.redirect(outcome.back)
            } catch let refusal as WriteRefusal {
                sessions.post(refusal.notice, to: visit.session)
                return PageResponse.redirect(refusal.back)
            } catch {
                let back = Self.localPath(form["back"]) ?? "/plans"
                sessions.post(.error(visit.strings[.refused], Self.line(error)), to: visit.session)
                return PageResponse.redirect(back)
            }
        }
    }

    /// Answers a POST with `answer` of its form, read alike for every POST: refused on a page of its own before
    /// it is read when sent from another site (403), and when too large or when a field does not decode.
    private func posting(
        _ request: Request, _ answer: (PageForm, PageStrings) async throws -> Response
    ) async throws -> Response {
        let strings = PageStrings(language: request.pageLanguage)
        let form: PageForm
        do {
            if let refusal = crossSiteRefusal(request) { throw PageRefusal(status: .forbidden, description: refusal) }
            form = try await PageForm.read(request)
        } catch let refusal as PageRefusal {
            return refused(strings, refusal.description, status: refusal.status)
        }
        return try await answer(form, strings)
    }

    /// Why a POST is refused as sent from another site, or nil. A form elsewhere could otherwise sign a browser
    /// in under another person's token, or write with the session the browser holds: every POST whose browser
    /// says it is cross-site, or that names an origin other than this site's own, is refused before it is read.
    func crossSiteRefusal(_ request: Request) -> String? {
        if request.headers[Self.fetchSite]?.lowercased() == "cross-site" {
            return "this form was sent from another site (Sec-Fetch-Site: cross-site)"
        }
        guard let origin = request.headers[.origin] else { return nil }
        let own = "\(secureCookies ? "https" : "http")://\(request.head.authority ?? "")"
        guard origin.lowercased() == own.lowercased() else {
            return "this form was sent from another site (Origin: \(origin)), not from \(own)"
        }
        return nil
    }

    private static let fetchSite = HTTPField.Name("Sec-Fetch-Site")!

    private func forbidden(_ strings: PageStrings, _ line: String) -> Response {
        refused(strings, line, status: .forbidden, text: strings[.forbidden])
    }

    /// A POST refused before anything was read or done, as one line on a page of its own.
    private func refused(
        _ strings: PageStrings, _ line: String, status: HTTPResponse.Status, text: String? = nil
    ) -> Response {
        let text = text ?? (status == .forbidden ? strings[.forbidden] : strings[.refused])
        let body = renderer.render("refused", ["text": text, "detail": line])
        let layout = Layout(strings: strings, title: strings[.refused], path: "/", body: body)
        return PageResponse.html(renderer.page(layout), status: status)
    }

    /// An error as one line.
    static func line(_ error: any Error) -> String {
        "\(error)".split(whereSeparator: \.isNewline).joined(separator: "; ")
    }
}
