import Foundation
import Hummingbird
import PlanSyncCore

/// An error answered to a client as `{"error": code, "detail": what was wrong}` with its HTTP status.
public struct APIError: HTTPResponseError, CustomStringConvertible {
    public let status: HTTPResponse.Status
    public let code: String
    public let detail: String

    public init(_ status: HTTPResponse.Status, _ code: String, _ detail: String) {
        self.status = status
        self.code = code
        self.detail = detail
    }

    public var description: String { "\(status.code) \(code): \(detail)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = try WireJSON.encode(ErrorBody(error: code, detail: detail))
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func badRequest(_ detail: String) -> APIError { APIError(.badRequest, "bad_request", detail) }
    static func tooLarge(_ detail: String) -> APIError { APIError(.contentTooLarge, "too_large", detail) }
    static func forbidden(_ detail: String) -> APIError { APIError(.forbidden, "forbidden", detail) }
    static let unauthorized = APIError(
        .unauthorized, "unauthorized", "missing, unknown or revoked token (send 'Authorization: Bearer TOKEN')")
}

extension DecodingError {
    /// Where in the JSON the problem is, and what it is, in one line.
    var summary: String {
        func path(_ context: Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return keys.isEmpty ? "body" : String(keys.drop { $0 == "." })
        }
        switch self {
        case .typeMismatch(let type, let context): return "\(path(context)): expected \(type)"
        case .valueNotFound(let type, let context): return "\(path(context)): missing \(type)"
        case .keyNotFound(let key, let context):
            return "\(path(context)): missing key '\(key.stringValue)'"
        case .dataCorrupted(let context):
            return "\(path(context)): \(context.debugDescription)"
        @unknown default: return "invalid JSON"
        }
    }
}
