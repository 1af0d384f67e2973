import AsyncHTTPClient
import CompressNIO
import Foundation
import NIOCore
import NIOHTTP1
import NIOHTTPCompression
import PlanSyncCore

/// The protocol of `docs/PROTOCOL.md` over HTTP: gzip bodies both ways, a bearer token, JSON.
///
/// The client inflates gzip responses itself (with a ratio limit against decompression bombs);
/// request bodies are compressed here.
public struct HTTPTransport: SyncTransport {
    public let baseURL: String
    let token: String
    let client: HTTPClient
    let timeout: TimeAmount

    public init(baseURL: String, token: String, client: HTTPClient = Self.client, timeout: TimeAmount = .seconds(120)) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.token = token
        self.client = client
        self.timeout = timeout
    }

    /// One client for the process, never shut down: connections are reused across requests. A refused
    /// connection is retried until the connect timeout, so that timeout bounds how long a sync waits for a
    /// server that is down; a slow 2G link still connects well within it.
    public static let client = HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup,
        configuration: .init(
            timeout: .init(connect: .seconds(8), read: .seconds(90)),
            decompression: .enabled(limit: .ratio(200))))

    public func session() async throws -> SessionInfo {
        try await send(HTTPClientRequest(url: baseURL + "/v1/session"), as: SessionInfo.self)
    }

    public func push(_ push: PushRequest, history: HistoryPosition?) async throws -> PushResponse {
        var request = HTTPClientRequest(url: baseURL + "/v1/push")
        if let history { request.headers.add(name: HistoryPosition.header, value: "\(history)") }
        request.method = .POST
        var body = ByteBuffer(bytes: RecordJSON.encode(push))
        body = try body.compress(with: .gzip())
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Content-Encoding", value: "gzip")
        request.body = .bytes(body)
        return try await send(request, as: PushResponse.self)
    }

    public func pull(since: UInt64, limit: Int, replica: ReplicaID, history: HistoryPosition?) async throws
        -> PullResponse
    {
        var request = HTTPClientRequest(url: baseURL + "/v1/pull?since=\(since)&limit=\(limit)&replica=\(replica)")
        if let history { request.headers.add(name: HistoryPosition.header, value: "\(history)") }
        return try await send(
            request,
            decode: { body in
                try body.withUnsafeReadableBytes { raw in try RecordJSON.decodePull(raw.bindMemory(to: UInt8.self)) }
            })
    }

    private func send<T: Decodable>(_ request: HTTPClientRequest, as type: T.Type) async throws -> T {
        try await send(request) { body in try JSONDecoder().decode(T.self, from: Data(body.readableBytesView)) }
    }

    private func send<T>(_ request: HTTPClientRequest, decode: (ByteBuffer) throws -> T) async throws -> T {
        var request = request
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept-Encoding", value: "gzip")
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await client.execute(request, timeout: timeout)
            body = try await response.body.collect(upTo: 512 * 1024 * 1024)
        } catch {
            let text = "\(error)"
            // No connection was made, so the request never left: nothing can have been committed.
            let neverSent = ["connectionRefused", "Connection refused", "connectTimeout", "unreachable"].contains {
                text.contains($0)
            }
            throw SyncError(.unreachable, "cannot reach \(baseURL): \(Self.describe(error))", neverSent: neverSent)
        }
        guard response.status == .ok else {
            let error = try? JSONDecoder().decode(ErrorBody.self, from: Data(body.readableBytesView))
            let detail = error.map { "\($0.error): \($0.detail)" }
            let message = "\(baseURL) answered \(response.status.code): \(detail ?? response.status.reasonPhrase)"
            throw SyncError(
                response.status.code >= 500 ? .server : .refused(status: Int(response.status.code)), message, body: error)
        }
        do {
            return try decode(body)
        } catch {
            throw SyncError(.server, "\(baseURL) answered something that is not PlanSync's protocol (\(error))")
        }
    }

    private static func describe(_ error: any Error) -> String {
        let text = "\(error)"
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
        if text.contains("deadlineExceeded") || text.contains("readTimeout") { return "timed out" }
        if text.contains("remoteConnectionClosed") || text.contains("ioOnClosedChannel") {
            return "the connection was closed mid-transfer"
        }
        return text
    }
}
