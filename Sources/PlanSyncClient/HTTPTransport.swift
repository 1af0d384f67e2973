import AsyncHTTPClient
import CompressNIO
import Foundation
import NIOCore
import NIOHTTP1
import NIOHTTPCompression
import NIOSSL
import PlanSyncCore
import Synchronization

/// The protocol of `docs/PROTOCOL.md` over HTTP: gzip bodies both ways, a bearer token, JSON.
///
/// The client inflates gzip responses itself (with a ratio limit against decompression bombs);
/// request bodies are compressed here.
public struct HTTPTransport: SyncTransport {
    public let baseURL: String
    let token: String
    let client: HTTPClient
    /// Bytes sent and received so far, for a progress line.
    public let traffic = Traffic()
    /// The throughput measured so far, from which each request's deadline is computed.
    let meter: LinkMeter
    /// How a `429 Too Many Requests` is waited out.
    public var retryAfter: RetryAfterPolicy
    /// The server the replica was made for, named on every request (`ServerIdentity`); nil before one is known
    /// (`plansync init`).
    public var server: ReplicaID?

    public init(baseURL: String, token: String, client: HTTPClient = Self.client, timeout: TimeAmount? = nil) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.token = token
        self.client = client
        self.retryAfter = RetryAfterPolicy()
        // A whole exchange may take several read timeouts on a slow link, as long as bytes keep coming; a large
        // push gets more, in proportion to its body (`RequestDeadline`).
        let floor = timeout ?? max(.seconds(120), Self.readTimeout.amount * 4)
        meter = LinkMeter(RequestDeadline(floor: .nanoseconds(floor.nanoseconds)))
    }

    /// How long requests may take, as measured of the link so far.
    public var deadline: RequestDeadline { meter.current }

    public var counted: Traffic? { traffic }

    /// One client for the process, never shut down: connections are reused across requests. A refused
    /// connection is retried until the connect timeout, so that timeout bounds how long a sync waits for a
    /// server that is down; a slow 2G link still connects well within it. The read timeout bounds how long it
    /// waits for a server that accepted the connection but sends nothing.
    public static let client = HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup,
        configuration: .init(
            timeout: .init(connect: .seconds(8), read: readTimeout.amount),
            decompression: .enabled(limit: .ratio(200))))

    /// How long a request waits without a byte from the server: `$PLANSYNC_TIMEOUT` seconds, else 30.
    public static let readTimeout = ReadTimeout(environment: ProcessInfo.processInfo.environment) ?? .standard

    public func session() async throws -> SessionInfo {
        try await send(
            HTTPClientRequest(url: baseURL + "/v1/session"), deadline: meter.current.floor, as: SessionInfo.self)
    }

    public func push(_ push: PushRequest, history: HistoryPosition?) async throws -> PushResponse {
        var request = HTTPClientRequest(url: baseURL + "/v1/push")
        if let history { request.headers.add(name: HistoryPosition.header, value: "\(history)") }
        request.method = .POST
        var body = ByteBuffer(bytes: RecordJSON.encode(push))
        body = try body.compress(with: .gzip())
        traffic.add(sent: body.readableBytes)
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Content-Encoding", value: "gzip")
        request.body = .bytes(body)
        // The answer is small unless it carries a pull page: the body is what takes time on a slow link.
        let deadline = meter.current.deadline(forBytes: body.readableBytes)
        return try await send(
            request, sent: body.readableBytes, deadline: deadline,
            decode: { body in
                try body.withUnsafeReadableBytes { raw in
                    try RecordJSON.decodePushResponse(raw.bindMemory(to: UInt8.self))
                }
            })
    }

    public func pull(since: UInt64, limit: Int, replica: ReplicaID, history: HistoryPosition?) async throws
        -> PullResponse
    {
        try await receive(since: since, limit: limit, replica: replica, history: history).read()
    }

    public func receive(since: UInt64, limit: Int, replica: ReplicaID, history: HistoryPosition?) async throws
        -> ReceivedPage
    {
        var request = HTTPClientRequest(url: baseURL + "/v1/pull?since=\(since)&limit=\(limit)&replica=\(replica)")
        if let history { request.headers.add(name: HistoryPosition.header, value: "\(history)") }
        // A page is sized to take seconds (`AdaptiveSize`): the floor leaves it ample room.
        let (headers, body) = try await exchange(request, deadline: meter.current.floor)
        // An unreadable header is as good as none: the page itself says where the next starts.
        let next = headers.first(name: PullResponse.nextHeader).flatMap { HistoryPosition($0) }
        let baseURL = self.baseURL
        return ReceivedPage(next: next) {
            try Self.decoded(body, from: baseURL) { body in
                try body.withUnsafeReadableBytes { raw in try RecordJSON.decodePull(raw.bindMemory(to: UInt8.self)) }
            }
        }
    }

    public func register(_ registration: KeyRegistration) async throws {
        struct Registered: Decodable {}
        _ = try await send(json: registration, to: "/v1/key", as: Registered.self)
    }

    public func relay(_ section: SignedSection, history: HistoryPosition?) async throws -> PushResponse {
        try await send(json: RelayRequest(section), to: "/v1/relay", history: history, as: PushResponse.self)
    }

    /// POSTs `value` as JSON to `path` and decodes the answer.
    private func send<T: Decodable>(
        json value: some Encodable, to path: String, history: HistoryPosition? = nil, as type: T.Type
    ) async throws -> T {
        var request = HTTPClientRequest(url: baseURL + path)
        if let history { request.headers.add(name: HistoryPosition.header, value: "\(history)") }
        request.method = .POST
        let body = ByteBuffer(bytes: Array(try WireJSON.encode(value)))
        traffic.add(sent: body.readableBytes)
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(body)
        return try await send(
            request, sent: body.readableBytes, deadline: meter.current.deadline(forBytes: body.readableBytes), as: type)
    }

    private func send<T: Decodable>(
        _ request: HTTPClientRequest, sent: Int = 0, deadline: Duration, as type: T.Type
    ) async throws -> T {
        try await send(request, sent: sent, deadline: deadline) { body in
            try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
        }
    }

    /// Sends `request` (whose body is `sent` bytes) with `deadline` for the whole exchange, and decodes the answer.
    private func send<T>(
        _ request: HTTPClientRequest, sent: Int = 0, deadline: Duration, decode: (ByteBuffer) throws -> T
    ) async throws -> T {
        try Self.decoded(try await exchange(request, sent: sent, deadline: deadline).body, from: baseURL, decode)
    }

    /// An answer's body decoded; anything `decode` cannot read is the server's error.
    private static func decoded<T>(_ body: ByteBuffer, from baseURL: String, _ decode: (ByteBuffer) throws -> T)
        throws -> T
    {
        do {
            return try decode(body)
        } catch {
            throw SyncError(.server, "\(baseURL) answered something that is not PlanSync's protocol")
        }
    }

    /// Sends `request` (whose body is `sent` bytes) with `deadline` for the whole exchange: the headers and the
    /// body of a 200 answer, or the error of any other.
    private func exchange(_ request: HTTPClientRequest, sent: Int = 0, deadline: Duration) async throws
        -> (headers: HTTPHeaders, body: ByteBuffer)
    {
        var request = request
        let timeout = TimeAmount(deadline)
        let started = ContinuousClock.now
        // Checked here so that no error of the HTTP library, which quotes a bad header value, can show it.
        guard Self.isPlausible(token: token) else {
            throw SyncError(
                .refused(status: 401),
                "the token holds a space, a line break or another character no token has; "
                    + "check it and give it again to 'plansync init'")
        }
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept-Encoding", value: "gzip")
        request.headers.add(name: ProtocolVersion.header, value: "\(ProtocolVersion.current)")
        if let server { request.headers.add(name: ServerIdentity.header, value: server.rawValue) }
        var response: HTTPClientResponse
        var body: ByteBuffer
        var waits = 0
        do {
            response = try await client.execute(request, timeout: timeout)
            body = try await response.body.collect(upTo: 512 * 1024 * 1024)
            // The server refused the request unread because of its rate limit: wait as told, then send it again.
            while response.status == .tooManyRequests, let wait = retryAfter.wait(response.headers, after: waits) {
                try await Task.sleep(for: wait)
                waits += 1
                response = try await client.execute(request, timeout: timeout)
                body = try await response.body.collect(upTo: 512 * 1024 * 1024)
            }
        } catch {
            if Self.certificateFailure(error) != nil {
                throw SyncError(.untrusted, describe(error, deadline: timeout), neverSent: true)
            }
            let text = "\(error)"
            // No connection was made, so the request never left: nothing can have been committed.
            let neverSent = ["connectionRefused", "Connection refused", "connectTimeout", "unreachable"].contains {
                text.contains($0)
            }
            let dropped = ["remoteConnectionClosed", "ioOnClosedChannel", "Connection reset", "connectionReset"]
                .contains {
                    text.contains($0)
                }
            throw SyncError(
                .unreachable, describe(error, deadline: timeout), neverSent: neverSent, dropped: dropped && !neverSent)
        }
        traffic.add(received: body.readableBytes)
        meter.completed(bytes: sent + body.readableBytes, elapsed: ContinuousClock.now - started)
        guard response.status == .ok else {
            let error = try? JSONDecoder().decode(ErrorBody.self, from: Data(body.readableBytesView))
            let detail = error.map { "\($0.error): \($0.detail)" }
            var message = "\(baseURL) answered \(response.status.code): \(detail ?? response.status.reasonPhrase)"
            if response.status == .tooManyRequests {
                let after = response.headers.first(name: "Retry-After").map { " in \($0) s" } ?? " later"
                message = "\(baseURL) is limiting this token's requests (rate limit); try again\(after)"
            }
            throw SyncError(
                response.status.code >= 500 ? .server : .refused(status: Int(response.status.code)), message,
                body: error)
        }
        return (response.headers, body)
    }

    /// A transport failure in a few words: never the library's text, which may quote the request's headers.
    private func describe(_ error: any Error, deadline timeout: TimeAmount) -> String {
        if let reason = Self.certificateFailure(error) {
            return "cannot reach \(baseURL): its TLS certificate \(reason)"
        }
        if let error = error as? HTTPClientError {
            if error == .readTimeout { return "\(baseURL) did not answer within \(Self.readTimeout)" }
            if error == .deadlineExceeded {
                return "\(baseURL) did not finish answering within \(ReadTimeout(amount: timeout))"
            }
            if error == .connectTimeout { return "cannot reach \(baseURL): no connection within 8 s" }
            if error == .remoteConnectionClosed {
                return "cannot reach \(baseURL): the connection was closed mid-transfer"
            }
        }
        let text = "\(error)"
        if text.contains("connectionRefused") || text.contains("Connection refused") {
            return "cannot reach \(baseURL): connection refused"
        }
        if text.contains("deadlineExceeded") || text.contains("readTimeout") {
            return "\(baseURL) did not answer within \(Self.readTimeout)"
        }
        if text.contains("remoteConnectionClosed") || text.contains("ioOnClosedChannel") {
            return "cannot reach \(baseURL): the connection was closed mid-transfer"
        }
        if text.contains("NXDOMAIN") || text.contains("lookup") || text.contains("resolve") {
            return "cannot reach \(baseURL): the host name is not known"
        }
        return "cannot reach \(baseURL): the connection failed"
    }

    /// Whether the token could be one: printable ASCII with no space (tokens are hex or base64url).
    static func isPlausible(token: String) -> Bool {
        !token.isEmpty && token.utf8.allSatisfy { (0x21...0x7E).contains($0) }
    }
}

/// How long a request waits without a byte from the server.
public struct ReadTimeout: Sendable, CustomStringConvertible {
    public static let standard = ReadTimeout(amount: .seconds(30))
    public let amount: TimeAmount

    public init(amount: TimeAmount) {
        self.amount = amount
    }

    /// `$PLANSYNC_TIMEOUT` in seconds (a positive number, e.g. `30` or `2.5`); nil when unset or unusable.
    public init?(environment: [String: String]) {
        guard let text = environment["PLANSYNC_TIMEOUT"], let seconds = Double(text), seconds > 0, seconds <= 86_400
        else { return nil }
        amount = .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// `30 s`, `2.5 s`.
    public var description: String {
        let milliseconds = amount.nanoseconds / 1_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(Double(milliseconds) / 1000) s"
    }
}

/// Bytes sent and received by a transport, counted as they go over the wire (compressed request bodies;
/// response bodies as read).
public final class Traffic: Sendable {
    // Atomics: requests of one sync may run concurrently (a pull fetches its next page ahead).
    private let sentBytes = Atomic<Int>(0)
    private let receivedBytes = Atomic<Int>(0)

    public init() {}

    public var sent: Int { sentBytes.load(ordering: .relaxed) }
    public var received: Int { receivedBytes.load(ordering: .relaxed) }

    func add(sent: Int = 0, received: Int = 0) {
        sentBytes.add(sent, ordering: .relaxed)
        receivedBytes.add(received, ordering: .relaxed)
    }
}
