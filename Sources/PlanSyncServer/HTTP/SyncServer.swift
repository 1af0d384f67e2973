import CompressNIO
import Foundation
import Hummingbird
import Logging
import NIOCore
import PlanSyncCore

/// The sync server's HTTP interface (`docs/PROTOCOL.md`): health, session, push and pull.
public struct SyncServer: Sendable {
    /// Caps that keep one request from exhausting the server.
    public struct Limits: Sendable {
        /// Largest request body as sent (possibly gzip-compressed).
        public var maxBodyBytes = 16 * 1024 * 1024
        /// Largest request body once decompressed.
        public var maxDecodedBytes = 64 * 1024 * 1024
        /// Most records in one push.
        public var maxPushRecords = 2_000
        /// Most records in one pull page.
        public var maxPullRecords = 5_000

        public init() {}
    }

    public let store: any SyncStore
    public let schema: Schema
    public let limits: Limits
    public let logger: Logger

    public init(store: any SyncStore, schema: Schema = .planSync, limits: Limits = Limits(), logger: Logger) {
        self.store = store
        self.schema = schema
        self.limits = limits
        self.logger = logger
    }

    /// The application, ready to run as a service (graceful shutdown on SIGTERM and SIGINT).
    public func application(
        host: String, port: Int, onRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: router(),
            configuration: .init(address: .hostname(host, port: port), serverName: "plansync-server"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    /// Runs the server until SIGTERM or SIGINT, then lets in-flight requests finish.
    public func run(host: String, port: Int, onRunning: @escaping @Sendable (_ port: Int) async -> Void) async throws {
        try await application(host: host, port: port, onRunning: onRunning).runService()
    }

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/health") { _, _ in
            Self.json(#"{"status":"ok"}"#)
        }
        router.get("/v1/session") { request, _ in
            let principal = try await authenticate(request)
            let info = SessionInfo(server: try await store.serverID(), principal: principal)
            return Self.json(try WireJSON.string(info))
        }
        router.post("/v1/push") { request, _ in try await push(request) }
        router.get("/v1/pull") { request, _ in try await pull(request) }
        return router
    }

    // MARK: - Endpoints

    func push(_ request: Request) async throws -> Response {
        let principal = try await authenticate(request)
        let push = try await pushRequest(request)
        guard push.records.count <= limits.maxPushRecords else {
            throw APIError.tooLarge("\(push.records.count) records in one push; the most is \(limits.maxPushRecords)")
        }
        var seen = Set<String>()
        for record in push.records {
            do {
                try schema.validate(record)
            } catch {
                throw APIError.badRequest("\(error)")
            }
            guard seen.insert(record.id).inserted else {
                throw APIError.badRequest("\(record.id): appears twice in one push")
            }
        }
        let policy = PushPolicy(
            principal: principal, pusher: push.replica, server: try await store.serverID(), schema: schema)
        let incoming = Dictionary(push.records.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let response: PushResponse
        do {
            response = try await store.push(push.records, from: push.replica) { stored, joined, lookup in
                try policy.decide(stored: stored, joined: joined, incoming: incoming[joined.id]!, lookup: lookup)
            }
        } catch let error as StoreError {
            throw APIError.badRequest("\(error)")
        }
        logger.info(
            "push",
            metadata: [
                "token": "\(principal.name)", "replica": "\(push.replica)", "received": "\(response.received)",
                "changed": "\(response.changed)", "held": "\(response.held.count)",
                "evicted": "\(response.evicted.count)",
            ])
        return Self.json(try WireJSON.string(response))
    }

    func pull(_ request: Request) async throws -> Response {
        let principal = try await authenticate(request)
        let query = request.uri.queryParameters
        guard let since = UInt64(query["since"].map(String.init) ?? "0") else {
            throw APIError.badRequest("since: expected a non-negative whole number")
        }
        let limitText = query["limit"].map(String.init) ?? "1000"
        guard let limit = Int(limitText), limit > 0 else {
            throw APIError.badRequest("limit: expected a positive whole number")
        }
        let replica = try query["replica"].map { text in
            guard !text.isEmpty, text.utf8.count <= 64 else { throw APIError.badRequest("replica: expected a replica id") }
            return ReplicaID(String(text))
        }
        let page = try await store.pull(
            since: since, limit: min(limit, limits.maxPullRecords), for: principal, replica: replica)
        var body = ByteBuffer(string: page.json)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if request.headers[.acceptEncoding]?.contains("gzip") == true, body.readableBytes > 512 {
            body = try body.compress(with: .gzip())
            headers[.contentEncoding] = "gzip"
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }

    // MARK: - Helpers

    func authenticate(_ request: Request) async throws -> Principal {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw APIError.unauthorized
        }
        let token = String(header.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard let principal = try await store.principal(tokenHash: TokenHash.hash(token)) else {
            throw APIError.unauthorized
        }
        return principal
    }

    /// The push in a request's body, read by the direct record codec.
    func pushRequest(_ request: Request) async throws -> PushRequest {
        let body = try await body(of: request)
        do {
            return try body.withUnsafeReadableBytes { raw in
                try RecordJSON.decodePush(raw.bindMemory(to: UInt8.self))
            }
        } catch let error as RecordJSONError {
            throw APIError.badRequest("malformed request: \(error)")
        }
    }

    /// A request's body, inflated when it came gzip-compressed, within the size limits.
    func body(of request: Request) async throws -> ByteBuffer {
        var body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limits.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            throw APIError.tooLarge("request body over \(limits.maxBodyBytes) bytes")
        }
        if let encoding = request.headers[.contentEncoding], encoding != "identity" {
            guard encoding == "gzip" else { throw APIError.badRequest("unsupported Content-Encoding '\(encoding)'") }
            do {
                body = try body.decompress(with: .gzip(), maxSize: limits.maxDecodedBytes)
            } catch let error as CompressNIOError where error == .bufferOverflow {
                throw APIError.tooLarge("request body over \(limits.maxDecodedBytes) bytes once decompressed")
            } catch {
                throw APIError.badRequest("the gzip body could not be decompressed")
            }
        }
        return body
    }

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
