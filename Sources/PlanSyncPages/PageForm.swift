import Foundation
import HTTPTypes
import Hummingbird

/// The fields of a submitted form (`application/x-www-form-urlencoded`), the last of a repeated name winning.
struct PageForm: Sendable {
    /// The largest form the pages accept: a report's narrative fits many times over.
    static let maxBytes = 256 * 1024

    let fields: [String: String]

    init(encoded text: String) {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            let name = decode(parts[0])
            fields[name] = parts.count > 1 ? decode(parts[1]) : ""
        }
        self.fields = fields
    }

    static func read(_ request: Request) async throws -> PageForm {
        let body = try await request.body.collect(upTo: maxBytes)
        return PageForm(encoded: String(buffer: body))
    }

    subscript(_ name: String) -> String? { fields[name] }

    /// A field with something in it, or nil.
    func text(_ name: String) -> String? {
        guard let value = fields[name], !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return nil
        }
        // Browsers send a textarea's line breaks as CRLF.
        return value.replacingOccurrences(of: "\r\n", with: "\n")
    }
}

extension Request {
    /// A query parameter with something in it, or nil.
    func query(_ name: String) -> String? {
        guard let value = uri.queryParameters.get(name), !value.isEmpty else { return nil }
        return value
    }

    /// The page's language: the `plansync_lang` cookie, else the first of `Accept-Language` the pages are
    /// written in, else English.
    var pageLanguage: String {
        if let chosen = cookies["plansync_lang"]?.value, PageStrings.languages.contains(chosen) { return chosen }
        let accepted = headers[.acceptLanguage] ?? ""
        let ranked = accepted.split(separator: ",").enumerated().compactMap { index, item -> (Double, Int, String)? in
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = parts.first?.lowercased(), !tag.isEmpty else { return nil }
            let quality = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            let primary = String(tag.split(separator: "-").first ?? "")
            guard quality > 0, PageStrings.languages.contains(primary) else { return nil }
            return (quality, index, primary)
        }
        return ranked.sorted { ($0.0, -$0.1) > ($1.0, -$1.1) }.first?.2 ?? "en"
    }

    /// The path and query of the page asked for, to come back to.
    var pagePath: String {
        uri.query.map { "\(uri.path)?\($0)" } ?? uri.path
    }
}
