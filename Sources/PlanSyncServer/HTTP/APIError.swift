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
