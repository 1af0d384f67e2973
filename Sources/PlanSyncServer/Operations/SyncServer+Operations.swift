import Foundation
import Hummingbird
import Logging
import NIOCore
import PlanSyncCore

// MARK: - What operators read: `/metrics`, `/openapi.json`

extension SyncServer {
    /// The routes for operators and tools beside the sync protocol's own.
    func addOperationsRoutes(to router: Router<ServerRequestContext>) {
        router.add(middleware: UnroutedMiddleware(methods: OpenAPIDescription.methods))
        router.get("/metrics") { request, _ in
            let principal = try await authenticate(request)
            guard principal.role == .admin else {
                throw APIError.forbidden("/metrics is readable with an admin token only")
            }
            let text = metrics.scrape(
                census: try await store.census(), offices: OfficeActivity.offices(from: try await store.syncActivity()))
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("/openapi.json") { _, _ in
            Self.json(try OpenAPIDescription.text())
        }
    }

    /// A sync to note in the store (`store.noteSync`): about one per replica every `ServerMetrics.noteInterval`,
    /// so that a sync of many pages writes once and most syncs write nothing.
    struct DueNote: Sendable {
        let replica: ReplicaID
        let time: UInt64
        /// When the replica last synced, if a compaction marked it as away past the horizon: told in this page.
        let awaySince: UInt64?
    }

    /// The note due for a sync of `replica` now, or nil (no replica named, or one noted within the interval).
    /// With `pulling`, it says whether the replica was away: read only here, since a replica away past the
    /// horizon has not pulled within the interval, and its first pull is always due.
    func dueNote(_ replica: ReplicaID?, pulling: Bool) async throws -> DueNote? {
        guard let replica else { return nil }
        let now = Self.now()
        guard metrics.shouldNoteSync(of: replica, at: now, pulling: pulling) else { return nil }
        return DueNote(
            replica: replica, time: now, awaySince: pulling ? try await store.awaySince(replica: replica) : nil)
    }

    /// Notes a due sync in the store, with the cursor its pull started from (`pulled`); a failure to note it is
    /// logged and does not fail the sync.
    func note(_ due: DueNote?, pulled: UInt64? = nil) async {
        guard let due else { return }
        do {
            try await store.noteSync(replica: due.replica, at: due.time, pulled: pulled, told: due.awaySince)
        } catch {
            logger.warning("could not note a sync", metadata: ["replica": "\(due.replica)", "error": "\(error)"])
        }
    }

    /// Counts the bytes of an answer to a push or a pull as it goes out.
    func counted(_ response: Response) -> Response {
        if let length = response.body.contentLength { metrics.pulled(bytes: length) }
        return response
    }
}

/// The OpenAPI 3.1 description of the HTTP interface, `docs/openapi.json`, bundled with the server.
public enum OpenAPIDescription {
    /// The description's text, as kept in docs/.
    public static func text() throws -> String {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json") else {
            throw APIError(.internalServerError, "internal", "the OpenAPI description is missing from this build")
        }
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// Each path the description gives and its methods, upper-case: what a `405` lists in `Allow`.
    static let methods: [String: [String]] = {
        let verbs: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
        guard let text = try? text(), let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)),
            let paths = (object as? [String: Any])?["paths"] as? [String: [String: Any]]
        else { return [:] }
        return paths.mapValues { operations in operations.keys.filter(verbs.contains).map { $0.uppercased() }.sorted() }
    }()
}
