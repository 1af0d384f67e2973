/// The version of the HTTP protocol in `docs/PROTOCOL.md`. A server refuses requests of another version.
public enum ProtocolVersion {
    public static let current = 1
}

/// `POST /v1/push`: changed records, each whole, with its causal metadata.
public struct PushRequest: Codable, Sendable {
    /// The pushing replica (for the server's log; authorisation comes from the token).
    public var replica: ReplicaID
    public var records: [RecordState]

    public init(replica: ReplicaID, records: [RecordState]) {
        self.replica = replica
        self.records = records
    }
}

/// The answer to a push, sent only once every record of the batch is committed.
public struct PushResponse: Codable, Sendable, Equatable {
    /// Records in the batch.
    public var received: Int
    /// Records whose stored state the batch changed (0 for a replayed batch).
    public var changed: Int

    public init(received: Int, changed: Int) {
        self.received = received
        self.changed = changed
    }
}

/// `GET /v1/pull?since=CURSOR&limit=N`: the records changed after `since`, in server sequence order.
public struct PullResponse: Codable, Sendable {
    public var records: [RecordState]
    /// The sequence of the last record in this page: the `since` of the next pull.
    public var cursor: UInt64
    /// Whether more changes follow this page.
    public var more: Bool
    /// The server's latest sequence when the page was read, for progress.
    public var latest: UInt64

    public init(records: [RecordState], cursor: UInt64, more: Bool, latest: UInt64) {
        self.records = records
        self.cursor = cursor
        self.more = more
        self.latest = latest
    }
}

/// `GET /v1/session`: who the token belongs to, and which server this is.
public struct SessionInfo: Codable, Sendable, Equatable {
    /// The server's stable id: a replica refuses to sync with another server than the one it was made for.
    public var server: ReplicaID
    public var principal: Principal
    public var protocolVersion: Int

    public init(server: ReplicaID, principal: Principal, protocolVersion: Int = ProtocolVersion.current) {
        self.server = server
        self.principal = principal
        self.protocolVersion = protocolVersion
    }
}

/// The body of every error response: `{"error": short code, "detail": what was wrong}`.
public struct ErrorBody: Codable, Sendable, Equatable {
    public var error: String
    public var detail: String

    public init(error: String, detail: String) {
        self.error = error
        self.detail = detail
    }
}
