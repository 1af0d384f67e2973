import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import PlanSyncReports

/// The pages' templates (the target's `.mustache` resources, escaping by default) and the page around them.
struct PageRenderer: Sendable {
    let library: MustacheLibrary

    /// Reads and parses every template of the target's resources.
    init() throws {
        guard let folder = Bundle.module.resourceURL?.appendingPathComponent("Templates") else {
            throw PageError("the pages' templates are missing from this build")
        }
        var library = MustacheLibrary()
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
            $0.hasSuffix(".mustache")
        }
        for file in files {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            do {
                try library.register(text, named: String(file.dropLast(".mustache".count)))
            } catch {
                throw PageError("the page template \(file) does not parse: \(error)")
            }
        }
        self.library = library
    }

    /// `template` rendered with `model`.
    func render(_ template: String, _ model: Any) -> String {
        library.render(model, withTemplate: template) ?? ""
    }

    /// A whole page: `body` (rendered by the caller from a template) inside the layout.
    func page(_ layout: Layout) -> String {
        render("layout", layout)
    }
}

/// What the layout shows around every page.
struct Layout {
    struct Link { let href, label: String; let current: Bool }
    struct LanguageLink { let code, name, href: String; let current: Bool }
    struct NoticeView { let flash: Bool; let text: String; let detail: String? }

    let lang: String
    let dir: String
    let title: String
    /// The page's path and query, to come back to after "Sync now".
    let path: String
    let t: [String: String]
    let stylesheet: String
    let signedIn: Bool
    let person: String?
    let nav: [Link]
    let languages: [LanguageLink]
    let csrf: String?
    let canSync: Bool
    let notice: NoticeView?
    let body: String

    init(
        strings: PageStrings, title: String, path: String, body: String, person: String? = nil, csrf: String? = nil,
        canSync: Bool = false, notice: Notice? = nil
    ) {
        lang = strings.language
        dir = strings.isRightToLeft ? "rtl" : "ltr"
        self.title = title
        self.path = path
        t = strings.words
        stylesheet = PageStylesheet.css
        signedIn = person != nil
        self.person = person
        let current = path.split(separator: "?").first.map(String.init) ?? path
        nav = [
            ("/plans", PageStrings.Label.plans), ("/conflicts", .decisions), ("/reports", .reports),
            ("/translations", .translations), ("/signout", .signOut),
        ].map { href, label in Link(href: href, label: strings[label], current: current.hasPrefix(href)) }
        let back =
            path.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "/-._~"))) ?? "/"
        languages = PageStrings.languages.map { code in
            LanguageLink(
                code: code, name: PageStrings(language: code).report.languageName(code),
                href: "/language/\(code)?back=\(back)", current: code == strings.language)
        }
        self.csrf = csrf
        self.canSync = canSync
        self.notice = notice.map { NoticeView(flash: $0.kind == .flash, text: $0.text, detail: $0.detail) }
        self.body = body
    }
}

/// Why the pages cannot run, in one line.
struct PageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

// MARK: - Responses

enum PageResponse {
    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                HTTPField.Name("X-Content-Type-Options")!: "nosniff",
                HTTPField.Name("Content-Security-Policy")!:
                    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
                    + "frame-ancestors 'none'; base-uri 'none'",
            ],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func redirect(_ location: String, cookies: [String] = []) -> Response {
        var headers: HTTPFields = [.location: location, .cacheControl: "no-store"]
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: .seeOther, headers: headers)
    }

    static func download(_ text: String, type: String, filename: String) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: type, .cacheControl: "no-store",
                .contentDisposition: "attachment; filename=\"\(filename)\"",
            ],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
