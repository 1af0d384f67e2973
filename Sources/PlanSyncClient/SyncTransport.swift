import PlanSyncCore

/// How a replica reaches its server. The HTTP transport is the real one; tests wrap it to cut connections.
public protocol SyncTransport: Sendable {
    func session() async throws -> SessionInfo
    /// `history` is the latest position the replica saw of the server's history, checked by the server.
    func push(_ request: PushRequest, history: HistoryPosition?) async throws -> PushResponse
    /// The changes after `since`; those whose stored state `replica` pushed itself are skipped by the server
    /// (counted in the cursor, not sent).
    func pull(since: UInt64, limit: Int, replica: ReplicaID, history: HistoryPosition?) async throws -> PullResponse
    /// `pull` in two steps: the page as it arrived, and the reading of it, which a sync runs while it asks for
    /// the next page (`ReceivedPage.next`).
    func receive(since: UInt64, limit: Int, replica: ReplicaID, history: HistoryPosition?) async throws
        -> ReceivedPage
    /// Registers the replica's public signing key with its id (`POST /v1/key`).
    func register(_ registration: KeyRegistration) async throws
    /// Relays a push another replica signed, carried here in a bundle (`POST /v1/relay`).
    func relay(_ section: SignedSection, history: HistoryPosition?) async throws -> PushResponse
    /// The bytes this transport counts, so that a sync can size push batches by bytes; nil when it counts none.
    var counted: Traffic? { get }
}

extension SyncTransport {
    public var counted: Traffic? { nil }

    /// A transport whose pages come read: the page, with where the next starts as the page itself says.
    public func receive(since: UInt64, limit: Int, replica: ReplicaID, history: HistoryPosition?) async throws
        -> ReceivedPage
    {
        let page = try await pull(since: since, limit: limit, replica: replica, history: history)
        return ReceivedPage(next: page.next) { page }
    }
}

/// A pull page as it arrived, not yet read: where the next page starts, when the answer said so before its body
/// was read, and the work of reading it.
public struct ReceivedPage: Sendable {
    /// Where the next page starts (`PullResponse.nextHeader`); nil when the answer did not say, because no page
    /// follows or the server does not say it (then only the page, once read, tells).
    public var next: HistoryPosition?
    private let reading: @Sendable () async throws -> PullResponse

    public init(next: HistoryPosition?, reading: @escaping @Sendable () async throws -> PullResponse) {
        self.next = next
        self.reading = reading
    }

    /// The page, read. It must agree with `next`: a page that says otherwise is the server's error, since the
    /// next page was asked for where `next` said.
    public func read() async throws -> PullResponse {
        let page = try await reading()
        if let next, page.next != next {
            throw SyncError(
                .server,
                "the server's pull page ends at \(page.next.map(String.init(describing:)) ?? "its last change"), "
                    + "not at \(next) as its \(PullResponse.nextHeader) header said")
        }
        return page
    }
}

/// Why a sync or a request to the server failed, in words a person can act on.
public struct SyncError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The server could not be reached or the connection broke: retrying later is the fix.
        case unreachable
        /// The server refused the request (4xx): retrying will not help until something changes.
        case refused(status: Int)
        /// The server failed (5xx) or answered something that is not the protocol.
        case server
        /// The server's TLS certificate could not be verified: nothing was sent to it.
        case untrusted
    }

    public let kind: Kind
    public let message: String
    /// The server's error body, when it sent one.
    public let body: ErrorBody?
    /// Whether the request certainly never reached the server (no connection was made), so it committed
    /// nothing; false when it may have (a connection that broke after the request went out).
    public let neverSent: Bool
    /// Whether a connection that was working broke mid-transfer (a dropped link): worth trying again at once.
    public let dropped: Bool

    public init(_ kind: Kind, _ message: String, body: ErrorBody? = nil, neverSent: Bool = false, dropped: Bool = false)
    {
        self.kind = kind
        self.message = message
        self.body = body
        self.neverSent = neverSent
        self.dropped = dropped
    }

    /// Whether the server certainly committed nothing of the request: it refused it, or never received it.
    public var committedNothing: Bool {
        if case .refused = kind { return true }
        return neverSent
    }

    /// A version-1 server's refusal of a push of deltas (it reads whole records from `records` only).
    public var isVersion1Refusal: Bool {
        guard case .refused(status: 400) = kind, let body else { return false }
        return body.error == "bad_request" && body.detail.contains("missing 'records'")
    }

    public var description: String { message }
}

/// How often one sync tries a request again when the link drops mid-transfer, and how long it waits first.
/// Every request is safe to send twice (a push joins, a pull is read-only), so a retry changes nothing but the
/// wait; a server that refuses, fails or never answers is not retried. Each retry carries half the records of
/// the request it replaces (`AdaptiveSize.failed`); the count starts again after a request that got through.
public struct RetryPolicy: Sendable {
    public var delays: [Duration]

    public init(delays: [Duration] = [.milliseconds(500), .seconds(2), .seconds(5)]) {
        self.delays = delays
    }
}
