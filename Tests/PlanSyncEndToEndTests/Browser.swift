import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// What a browser does with the pages, over real HTTP: keeps the cookies it is given, follows nothing by
/// itself (a test sees each redirect), and submits forms as `application/x-www-form-urlencoded`.
struct Browser {
    struct Page {
        let status: Int
        let headers: HTTPHeaders
        let body: String

        var location: String? { headers.first(name: "Location") }

        /// The session's CSRF token, as the page gives it (every form that writes carries it too).
        var csrf: String? {
            let prefix = #"<meta name="csrf-token" content=""#
            guard let range = body.range(of: prefix + #"[0-9a-f]+""#, options: .regularExpression) else { return nil }
            return String(body[range].dropFirst(prefix.count).dropLast())
        }

        /// How many times `text` occurs in the page.
        func count(_ text: String) -> Int { body.components(separatedBy: text).count - 1 }
    }

    static let client = HTTPClient(
        eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))

    let base: String
    var cookies: [String: String] = [:]
    var acceptLanguage: String?

    init(_ base: String) {
        self.base = base
    }

    mutating func get(_ path: String) async throws -> Page {
        try await send(.GET, path, body: nil)
    }

    /// Posts a form; `headers` as another site's page (or a browser's) would add them.
    mutating func post(_ path: String, _ fields: [(String, String)], headers: [(String, String)] = []) async throws
        -> Page
    {
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await send(.POST, path, body: body, headers: headers)
    }

    /// Posts a body as it is, encoded or not.
    mutating func post(_ path: String, encoded body: String) async throws -> Page {
        try await send(.POST, path, body: body)
    }

    /// Signs in with `token`, as the form at `/` does; the response to the form.
    mutating func signIn(_ token: String) async throws -> Page {
        try await post("/signin", [("token", token)])
    }

    private mutating func send(
        _ method: HTTPMethod, _ path: String, body: String?, headers: [(String, String)] = []
    ) async throws -> Page {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if !cookies.isEmpty {
            request.headers.add(name: "Cookie", value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        }
        if let acceptLanguage { request.headers.add(name: "Accept-Language", value: acceptLanguage) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await Self.client.execute(request, timeout: .seconds(60))
        let text = String(buffer: try await response.body.collect(upTo: 16 * 1024 * 1024))
        for header in response.headers["Set-Cookie"] {
            let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            let name = String(pair[0]).trimmingCharacters(in: .whitespaces)
            let value = pair.count > 1 ? String(pair[1]) : ""
            if value.isEmpty || header.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
        return Page(status: Int(response.status.code), headers: response.headers, body: text)
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~"))) ?? text
    }
}
