import Foundation
import HTTPTypes
import Hummingbird

/// The fields of a submitted form (`application/x-www-form-urlencoded`), the last of a repeated name winning.
struct PageForm: Sendable {
    /// The largest form the pages accept: a report's narrative fits many times over.
    static let maxBytes = 256 * 1024

    let fields: [String: String]

    /// The fields of `text`; a name or value that does not decode (a bad `%` escape, or bytes that are not
    /// UTF-8) is refused with 400 naming the field, rather than read as empty and saved as nothing.
    init(encoded text: String) throws(PageRefusal) {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String? {
                String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
            }
            guard let name = decode(parts[0]) else {
                throw .badRequest("a field name of the form does not decode ('\(parts[0].prefix(40))'): nothing was changed")
            }
            guard let value = parts.count > 1 ? decode(parts[1]) : "" else {
                throw .badRequest(
                    "the form's field '\(name)' does not decode (a bad % escape, or not UTF-8): nothing was changed")
            }
            fields[name] = value
        }
        self.fields = fields
    }

    /// The form a request carries, or a refusal in one line: too large, or a field that does not decode.
    static func read(_ request: Request) async throws -> PageForm {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maxBytes)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw PageRefusal(
                status: .contentTooLarge,
                description: "the form is larger than \(maxBytes / 1024) KB: nothing was changed")
        }
        return try PageForm(encoded: String(buffer: body))
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
