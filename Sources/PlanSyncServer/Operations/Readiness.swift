import Logging
import PlanSyncCore
import Hummingbird
import NIOCore

extension SyncServer {
    /// `GET /ready`: 200 `{"status":"ready"}` when the store answers a read, else 503 with the reason in one
    /// line. `/health` says only that the process is up and serving HTTP.
    func ready() async -> Response {
        do {
            try await store.checkReadable()
            return Self.json(#"{"status":"ready"}"#)
        } catch {
            let reason = "\(error)".split(whereSeparator: \.isNewline).first.map(String.init) ?? "\(error)"
            logger.error("not ready: the store cannot be read", metadata: ["error": "\(reason)"])
            let body = ErrorBody(error: "not_ready", detail: "the store cannot be read: \(reason)")
            return Self.json((try? WireJSON.string(body)) ?? #"{"error":"not_ready"}"#, status: .serviceUnavailable)
        }
    }
}
