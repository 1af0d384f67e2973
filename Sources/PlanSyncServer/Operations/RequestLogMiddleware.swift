import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// Logs one line per request: method, route, status, duration in milliseconds, the token's holder (its name,
/// never the token) and the client's address; a refusal adds its code and detail. The client's address is the
/// socket's peer, or the last `X-Forwarded-For` entry when the server is told to trust its reverse proxy.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext
    let logger: Logger
    let trustProxy: Bool

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let started = ContinuousClock.now
        let note = RequestNote()
        do {
            let response = try await RequestNote.$current.withValue(note) { try await next(request, context) }
            log(request, context, status: Int(response.status.code), started: started, note: note)
            return response
        } catch let error as any HTTPResponseError {
            let refusal = error as? APIError
            log(
                request, context, status: Int(error.status.code), started: started, note: note,
                refusal: refusal.map { "\($0.code): \($0.detail)" })
            throw error
        }
    }

    private func log(
        _ request: Request, _ context: Context, status: Int, started: ContinuousClock.Instant, note: RequestNote,
        refusal: String? = nil
    ) {
        let elapsed = ContinuousClock.now - started
        let milliseconds =
            Double(elapsed.components.attoseconds / 1_000_000_000_000) / 1_000
            + Double(elapsed.components.seconds) * 1_000
        var metadata: Logger.Metadata = [
            "method": "\(request.method.rawValue)", "route": "\(request.uri.path)", "status": "\(status)",
            "ms": "\((milliseconds * 10).rounded() / 10)", "client": "\(client(of: request, context))",
        ]
        if let name = note.principal { metadata["principal"] = "\(name)" }
        if let refusal { metadata["refusal"] = "\(refusal)" }
        logger.log(level: status >= 500 ? .error : .info, "request", metadata: metadata)
    }

    /// Who sent the request, as far as the server may believe it.
    func client(of request: Request, _ context: Context) -> String {
        if trustProxy, let forwarded = request.headers[.init("X-Forwarded-For")!],
            let last = forwarded.split(separator: ",").last?.trimmingCharacters(in: .whitespaces), !last.isEmpty
        {
            return last
        }
        return context.remoteAddress?.ipAddress ?? "-"
    }
}

/// What a request's handler learns that its log line names: the holder of the token it authenticated.
final class RequestNote: Sendable {
    // A Mutex: the handler writes it, the middleware reads it after the handler returns.
    private let name = Mutex<String?>(nil)

    @TaskLocal static var current: RequestNote?

    var principal: String? { name.withLock { $0 } }

    /// Notes the principal of the request being handled in this task, if a log middleware is listening.
    static func note(principal: String) {
        current?.name.withLock { $0 = principal }
    }
}
