import CompressNIO
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PlanSyncCore
import PlanSyncPages

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
        /// Push and pull requests per token holder (`RateLimiter`); generous unless an operator sets them.
        public var pushRate = RateLimit(perSecond: 50, burst: 200)
        public var pullRate = RateLimit(perSecond: 100, burst: 400)

        public init() {}
    }

    public let store: any SyncStore
    public let schema: Schema
    public let limits: Limits
    public let logger: Logger
    public let metrics: ServerMetrics
    /// TLS, connection bounds and proxy trust.
    public var network = NetworkSettings()
    /// The web pages (`docs/PAGES.md`), served from `/` beside the HTTP interface.
    public var pages: PageRoutes?
    let rateLimiter: RateLimiter

    public init(
        store: any SyncStore, schema: Schema = .planSync, limits: Limits = Limits(), logger: Logger,
        metrics: ServerMetrics = ServerMetrics()
    ) {
        self.store = store
        self.schema = schema
        self.limits = limits
        self.logger = logger
        self.metrics = metrics
        self.rateLimiter = RateLimiter(push: limits.pushRate, pull: limits.pullRate)
    }

    /// The application, ready to run as a service (graceful shutdown on SIGTERM and SIGINT).
    public func application(
        host: String, port: Int, onRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        Application(
            router: router(),
            server: try network.serverBuilder(logger: logger),
            configuration: .init(
                address: .hostname(host, port: port),
                // No `Server` header: on a 2G link its 25 bytes a response buy nothing.
                serverName: nil,
                availableConnectionsDelegate: .maximum(network.maxConnections, logger: logger)),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    /// Runs the server until SIGTERM or SIGINT, then lets in-flight requests finish.
    public func run(host: String, port: Int, onRunning: @escaping @Sendable (_ port: Int) async -> Void) async throws {
        try await application(host: host, port: port, onRunning: onRunning).runService()
    }

    func router() -> Router<ServerRequestContext> {
        let router = Router(context: ServerRequestContext.self)
        router.add(middleware: RequestLogMiddleware(logger: logger, trustProxy: network.trustProxy))
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: ErrorMiddleware(logger: logger))
        pages?.add(to: router)
        router.get("/health") { _, _ in
            Self.json(#"{"status":"ok"}"#)
        }
        router.get("/ready") { _, _ in await ready() }
        router.get("/v1/session") { request, _ in
            let principal = try await authenticate(request)
            _ = try protocolVersion(request)
            let info = SessionInfo(
                server: try await store.serverID(), principal: principal, time: Self.now(),
                epoch: try await store.epoch().id)
            return Self.json(try WireJSON.string(info))
        }
        router.post("/v1/push") { request, _ in
            try await pushing(request) { principal in try await push(request, principal: principal) }
        }
        router.get("/v1/pull") { request, _ in try await pull(request) }
        addRelayRoutes(to: router)
        addOperationsRoutes(to: router)
        return router
    }

    // MARK: - Endpoints

    /// Lets a push (or a relayed one) in: the token, then its rate, before the body is read; every refusal
    /// is counted by reason.
    func pushing(_ request: Request, _ handle: (Principal) async throws -> Response) async throws -> Response {
        let principal: Principal
        do {
            principal = try await authenticate(request)
            try admit(principal, push: true)
        } catch {
            // Refused before the body was read: read it (within the limit) and drop it, so a client that
            // sends its whole body before reading the answer still gets the answer.
            _ = try? await request.body.collect(upTo: limits.maxBodyBytes)
            metrics.refusedPush(error)
            throw error
        }
        do {
            return try await handle(principal)
        } catch {
            metrics.refusedPush(error)
            throw error
        }
    }

    func push(_ request: Request, principal: Principal) async throws -> Response {
        let push = try await pushRequest(request)
        guard ReplicaID(validating: push.replica.rawValue) != nil else {
            throw APIError.badRequest("replica: expected a replica id (1 to 64 letters, digits, '-', '_' or '.')")
        }
        try validate(push)
        try await bind(push.replica, to: principal)
        let version = try protocolVersion(request)
        guard push.version == 1 || version >= 2 else {
            throw APIError.badRequest("a version-2 push ('changes') needs \(ProtocolVersion.header): 2")
        }
        try await checkHistory(request)
        let response = try await execute(push, as: principal)
        metrics.push(received: response.received, changed: response.changed)
        // The pull page asked for with the push, read after the commit: one round trip for a sync with edits.
        var page: PullPage?
        let pull = version >= 2 ? push.pull : nil
        let due = try await dueNote(push.replica, pulling: pull != nil)
        if let pull {
            page = try await store.pull(
                since: pull.since, limit: min(pull.limit, limits.maxPullRecords), for: principal, replica: push.replica,
                deltas: true, extra: try await pageExtra(awaySince: due?.awaySince))
            metrics.pulled(records: page?.count ?? 0)
        }
        await note(due, pulled: pull?.since)
        return counted(try Self.json(RecordJSON.encode(response, page: page?.json), compressingFor: request))
    }

    /// Refuses a push that is too large, holds a record the schema refuses, or names a record twice.
    func validate(_ push: PushRequest) throws {
        guard push.records.count <= limits.maxPushRecords else {
            throw APIError.tooLarge("\(push.records.count) records in one push; the most is \(limits.maxPushRecords)")
        }
        var seen = Set<String>()
        for record in push.records {
            do {
                try schema.validate(record)
                if let stores = push.stores[record.id] { try schema.validate(stores: stores, of: record) }
            } catch let error where error.unknown != nil {
                throw APIError.unknownToServer(error)
            } catch {
                throw APIError.badRequest("\(error)")
            }
            guard seen.insert(record.id).inserted else {
                throw APIError.badRequest("\(record.id): appears twice in one push")
            }
        }
    }

    /// Stores a validated push of `push.replica`, made with `principal`'s role, through the store's one verified
    /// path (`pushVerified`): sent by its replica or carried by another (a relay). Refusals become API errors.
    func execute(_ push: PushRequest, as principal: Principal) async throws -> PushResponse {
        let now = Self.now()
        let response: PushResponse
        do {
            response = try await store.pushVerified(
                push.records, carried: push.stores, from: push.replica, as: principal, now: now, schema: schema,
                recovering: push.recover, logger: logger)
        } catch let error as StoreError where !error.isDatabase {
            throw APIError.badRequest("\(error)")
        } catch let refusal as PushRefusal {
            throw APIError(refusal: refusal, serverTime: now)
        }
        logger.info(
            "push",
            metadata: [
                "token": "\(principal.name)", "replica": "\(push.replica)", "received": "\(response.received)",
                "changed": "\(response.changed)", "held": "\(response.held.count)",
                "evicted": "\(response.evicted.count)", "partial": "\(response.partial.count)",
            ])
        return response
    }

    /// The members every pull page ends with: the server's time, its epoch and the protocol version; and, to a
    /// replica that was away past the retention horizon when a compaction ran, when it last synced.
    func pageExtra(awaySince: UInt64? = nil) async throws -> String {
        ",\"time\":\(Self.now()),\"epoch\":\"\(try await store.epoch().id)\",\"protocol\":\(ProtocolVersion.current)"
            + (awaySince.map { ",\"awaySince\":\($0)" } ?? "")
    }

    func pull(_ request: Request) async throws -> Response {
        let principal = try await authenticate(request)
        try admit(principal, push: false)
        let query = request.uri.queryParameters
        guard let since = UInt64(query["since"].map(String.init) ?? "0") else {
            throw APIError.badRequest("since: expected a non-negative whole number")
        }
        let limitText = query["limit"].map(String.init) ?? "1000"
        guard let limit = Int(limitText), limit > 0 else {
            throw APIError.badRequest("limit: expected a positive whole number")
        }
        let replica = try query["replica"].map { text in
            guard let id = ReplicaID(validating: String(text)) else {
                throw APIError.badRequest("replica: expected a replica id (1 to 64 letters, digits, '-', '_' or '.')")
            }
            return id
        }
        if let replica { try await bind(replica, to: principal) }
        let version = try protocolVersion(request)
        try await checkHistory(request)
        let due = try await dueNote(replica, pulling: true)
        let page = try await store.pull(
            since: since, limit: min(limit, limits.maxPullRecords), for: principal, replica: replica,
            deltas: version >= 2, extra: try await pageExtra(awaySince: due?.awaySince))
        metrics.pulled(records: page.count)
        await note(due, pulled: since)
        var response = try Self.json(page.json, compressingFor: request)
        // Where the next page starts, readable before the page is: a client may ask for it while it reads this one.
        if page.more, let name = HTTPField.Name(PullResponse.nextHeader) {
            response.headers[name] = "\(HistoryPosition(epoch: try await store.epoch().id, seq: page.cursor))"
        }
        return counted(response)
    }

    /// How answers are gzipped: zlib's fastest level. Pull pages repeat their keys and replica ids so much that
    /// level 1 comes within a few per cent of the default level's size for a fraction of its CPU, which the
    /// server spends on every page for every replica (docs/PERFORMANCE.md, "Many replicas").
    static let answerCompression = ZlibConfiguration(compressionLevel: .fastestCompression)

    /// A JSON answer, gzip-compressed when the client accepts it and it is over 512 bytes. The JSON comes as
    /// the UTF-8 bytes the store and the codec wrote, never checked again on the way out.
    static func json(_ bytes: [UInt8], compressingFor request: Request) throws -> Response {
        var body = ByteBuffer(bytes: bytes)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if request.headers[.acceptEncoding]?.contains("gzip") == true, body.readableBytes > 512 {
            body = try body.compress(with: .gzip(configuration: Self.answerCompression))
            headers[.contentEncoding] = "gzip"
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }

    /// Binds the replica id to the token's name on first use, and refuses an id bound to another token.
    func bind(_ replica: ReplicaID, to principal: Principal) async throws {
        let owner = try await store.bind(replica: replica, to: principal.name)
        guard owner == principal.name else {
            logger.notice(
                "replica id of another token", metadata: ["token": "\(principal.name)", "replica": "\(replica)"])
            throw APIError.forbidden(
                "replica \(replica) belongs to another token; a replica syncs only with the token it was created with")
        }
    }

    /// The protocol version the client names (`PlanSync-Protocol`; 1 without the header). One this server does
    /// not speak is refused with what to upgrade.
    func protocolVersion(_ request: Request) throws -> Int {
        let name = ProtocolVersion.header.lowercased()
        guard let header = request.headers.first(where: { $0.name.canonicalName == name })?.value else { return 1 }
        guard let version = Int(header) else {
            throw APIError.badRequest("\(ProtocolVersion.header): expected a whole number, not '\(header)'")
        }
        guard ProtocolVersion.supported.contains(version) else {
            throw APIError.unsupportedProtocol(version)
        }
        return version
    }

    /// Refuses a request of a replica made for another server (`ServerIdentity`): this address answers for a
    /// server it was not made for, and nothing of it may be pushed or pulled here.
    func checkServer(_ request: Request) async throws {
        let name = ServerIdentity.header.lowercased()
        guard let named = request.headers.first(where: { $0.name.canonicalName == name })?.value else { return }
        let id = try await store.serverID()
        guard named != id.rawValue else { return }
        throw APIError(
            .conflict, "another_server",
            "this address answers for PlanSync server \(id), not \(named), the server this replica was made for; "
                + "check the server's address, or make a new replica for this server with 'plansync init'")
    }

    /// Refuses a request whose replica saw a part of this server's history that is no longer here.
    func checkHistory(_ request: Request) async throws {
        let name = HistoryPosition.header.lowercased()
        guard let header = request.headers.first(where: { $0.name.canonicalName == name })?.value else { return }
        guard let position = HistoryPosition(header) else {
            throw APIError.badRequest("\(HistoryPosition.header): expected EPOCH:SEQ, not '\(header)'")
        }
        if let resume = try await store.resumePoint(for: position) {
            let epoch = try await store.epoch()
            logger.warning(
                "a replica saw history this server no longer holds",
                metadata: ["position": "\(position)", "resume": "\(resume)", "epoch": "\(epoch.id)"])
            throw APIError.historyChanged(resume: resume, epoch: epoch.id, seen: position)
        }
    }

    // MARK: - Helpers

    func authenticate(_ request: Request) async throws -> Principal {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw APIError.unauthorized
        }
        let token = String(header.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)
        // Before the token: a replica at another server's address learns that, not that its token is unknown.
        try await checkServer(request)
        guard let principal = try await store.principal(tokenHash: TokenHash.hash(token)) else {
            throw APIError.unauthorized
        }
        RequestNote.note(principal: principal.name)
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
            // The rest of the body is still coming: answer and close rather than read it.
            throw APIError.tooLarge("request body over \(limits.maxBodyBytes) bytes").closingConnection
        }
        metrics.pushed(bytes: body.readableBytes)
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

    /// The server's wall clock in milliseconds since 1970.
    public static func now() -> UInt64 {
        UInt64(Date().timeIntervalSince1970 * 1000)
    }

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
