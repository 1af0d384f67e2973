import GRDB
import Hummingbird
import Logging

/// Turns every error a route did not answer itself into a JSON error, and logs it: a full disk is 507 with
/// what to do, a database that did not answer 503, anything else 500. Refusals (`APIError`) pass through as they are.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_FULL {
            logger.error("storage full", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            throw APIError(
                .init(code: 507, reasonPhrase: "Insufficient Storage"), "storage_full",
                "the server's disk is full; nothing was stored (free space on the server, then sync again)")
        } catch let error as StoreError where error.isDatabase {
            logger.error("database unavailable", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            throw APIError(
                .serviceUnavailable, "unavailable",
                "the server's database did not answer; nothing was stored (sync again in a moment)")
        } catch {
            logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            throw APIError(
                .internalServerError, "internal", "the server failed to answer this request (its log says why)")
        }
    }
}
