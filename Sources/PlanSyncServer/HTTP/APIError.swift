import Foundation
import Hummingbird
import PlanSyncCore

/// An error answered to a client as `{"error": code, "detail": what was wrong}` with its HTTP status.
public struct APIError: HTTPResponseError, CustomStringConvertible {
    public let status: HTTPResponse.Status
    public let code: String
    public let detail: String
    /// Extra members of the body for the errors a client acts on (`history_changed`, `clock_ahead`).
    var body: ErrorBody
    /// Whether the connection closes after the answer (the request body was not read to its end).
    var closes = false
    /// Seconds the client should wait before it tries again (`Retry-After`, with 429).
    var retryAfter: Int?

    public init(_ status: HTTPResponse.Status, _ code: String, _ detail: String) {
        self.status = status
        self.code = code
        self.detail = detail
        self.body = ErrorBody(error: code, detail: detail)
    }

    /// A refused push: the role's refusals are 403, unbelievable claims 400 (`clock_ahead` with the server's
    /// time, so the device can tell how far off its clock is).
    init(refusal: PushRefusal, serverTime: UInt64) {
        let status: HTTPResponse.Status = refusal.kind == .forbidden ? .forbidden : .badRequest
        self.init(status, refusal.kind.rawValue, refusal.description)
        if refusal.kind == .clockAhead { body.serverTime = serverTime }
    }

    var closingConnection: APIError {
        var copy = self
        copy.closes = true
        return copy
    }

    public var description: String { "\(status.code) \(code): \(detail)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = try WireJSON.encode(self.body)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        if closes { headers[.connection] = "close" }
        if let retryAfter { headers[.retryAfter] = "\(retryAfter)" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func badRequest(_ detail: String) -> APIError { APIError(.badRequest, "bad_request", detail) }
    /// A record with a field or collection this server's schema lacks: written by a newer `plansync`.
    static func unknownToServer(_ error: RecordError) -> APIError {
        APIError(
            .badRequest, "unknown_to_server",
            "\(error.record): this server (plansync-server \(PlanSyncVersion.current)) does not know "
                + "\(error.unknown ?? "what it holds"), which a newer plansync writes; upgrade the server")
    }
    static func tooLarge(_ detail: String) -> APIError { APIError(.contentTooLarge, "too_large", detail) }
    static func rateLimited(_ detail: String, retryAfter: Int) -> APIError {
        var error = APIError(.tooManyRequests, "rate_limited", detail)
        error.retryAfter = retryAfter
        // Closed: the connection would sit idle through the wait, and the server's header timeout could cut it
        // just as the client sends again on it.
        error.closes = true
        return error
    }
    static func forbidden(_ detail: String) -> APIError { APIError(.forbidden, "forbidden", detail) }
    static func historyChanged(resume: UInt64, epoch: String, seen: HistoryPosition) -> APIError {
        var error = APIError(
            .conflict, "history_changed",
            "this server's history no longer reaches \(seen) (it was restored from a backup or an older copy of its "
                + "data): pull again from \(resume) and push again this replica's own writes")
        error.body.resume = resume
        error.body.epoch = epoch
        return error
    }

    /// A client of a protocol version this server does not speak.
    static func unsupportedProtocol(_ version: Int) -> APIError {
        let range = "\(ProtocolVersion.supported.lowerBound) to \(ProtocolVersion.supported.upperBound)"
        let upgrade = version > ProtocolVersion.supported.upperBound ? "upgrade the server" : "upgrade plansync"
        return APIError(
            .badRequest, "unsupported_protocol",
            "this server speaks protocol versions \(range), not \(version): \(upgrade)")
    }

    static let unauthorized = APIError(
        .unauthorized, "unauthorized", "missing, unknown or revoked token (send 'Authorization: Bearer TOKEN')")
}
