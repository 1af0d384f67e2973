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
    /// Records not stored because they left the pusher's scope (e.g. a report moved to another office): the
    /// pusher keeps its unsynced edit aside and drops the record.
    public var evicted: [String]
    /// Reports whose edit was held for the central team because the period is approved: the pusher drops
    /// its copy, and the next pull brings the approved state back.
    public var held: [String]

    public init(received: Int, changed: Int, evicted: [String] = [], held: [String] = []) {
        self.received = received
        self.changed = changed
        self.evicted = evicted
        self.held = held
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        received = try container.decode(Int.self, forKey: .received)
        changed = try container.decode(Int.self, forKey: .changed)
        evicted = try container.decodeIfPresent([String].self, forKey: .evicted) ?? []
        held = try container.decodeIfPresent([String].self, forKey: .held) ?? []
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
    /// Records that left the puller's scope since `since`: the replica drops them.
    public var evicted: [String]
    /// Each record's JSON as received, when the page was read by `RecordJSON` (not part of the wire form): a
    /// replica stores a record it did not have as it came, rather than encoding it again.
    public var receivedJSON: [String]?

    private enum CodingKeys: String, CodingKey {
        case records, cursor, more, latest, evicted
    }

    public init(
        records: [RecordState], cursor: UInt64, more: Bool, latest: UInt64, evicted: [String] = [],
        receivedJSON: [String]? = nil
    ) {
        precondition(receivedJSON.map { $0.count == records.count } ?? true, "one JSON text per record")
        self.receivedJSON = receivedJSON
        self.records = records
        self.cursor = cursor
        self.more = more
        self.latest = latest
        self.evicted = evicted
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        records = try container.decode([RecordState].self, forKey: .records)
        cursor = try container.decode(UInt64.self, forKey: .cursor)
        more = try container.decode(Bool.self, forKey: .more)
        latest = try container.decode(UInt64.self, forKey: .latest)
        evicted = try container.decodeIfPresent([String].self, forKey: .evicted) ?? []
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
