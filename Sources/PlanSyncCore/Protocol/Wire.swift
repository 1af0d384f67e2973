import Foundation

/// PlanSync's own version, printed by `--version` with the protocol versions each binary speaks.
public enum PlanSyncVersion {
    public static let current = "0.12.0"

    /// The `plansync --version` line.
    public static var client: String {
        "plansync \(current) (sync protocol \(ProtocolVersion.current); whole records with a version-1 server)"
    }

    /// The `plansync-server --version` line.
    public static var server: String {
        let supported = ProtocolVersion.supported
        return "plansync-server \(current) (sync protocol versions \(supported.lowerBound) to \(supported.upperBound))"
    }
}

/// The versions of the HTTP protocol in `docs/PROTOCOL.md`. Version 1 moves whole records; version 2 adds
/// deltas (pushes in `changes`, pulled records with `stores`). A server speaks both, so replicas upgrade months
/// apart; a replica sends deltas only to a server that said it speaks version 2.
public enum ProtocolVersion {
    public static let current = 2
    /// What this build of the server accepts.
    public static let supported = 1...2
    /// The header a client names its version in; without it a client is taken for version 1.
    public static let header = "PlanSync-Protocol"
}

/// A point in a server's history: a sequence number, and the epoch (one run of the server) it was seen in.
///
/// A replica keeps the latest position it saw and sends it with every request (header `PlanSync-History`,
/// `EPOCH:SEQ`); a server whose history no longer reaches it (restored from a backup) says where to resume.
public struct HistoryPosition: Codable, Sendable, Hashable, CustomStringConvertible {
    public var epoch: String
    public var seq: UInt64

    public init(epoch: String, seq: UInt64) {
        self.epoch = epoch
        self.seq = seq
    }

    /// The header form, `EPOCH:SEQ`.
    public var description: String { "\(epoch):\(seq)" }

    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let seq = UInt64(parts[1]), !parts[0].isEmpty, parts[0].utf8.count <= 64 else {
            return nil
        }
        self.init(epoch: String(parts[0]), seq: seq)
    }

    /// The header a request carries it in.
    public static let header = "PlanSync-History"
}

/// `POST /v1/push`: changed records with their causal metadata, each whole or (version 2) as a delta.
///
/// On the wire a version-1 push lists whole records, verbose, in `records`; a version-2 push lists every
/// record in `changes` instead, compact (`RecordForm`), a delta with its carried stores in `stores`, so a
/// version-1 server refuses it (no `records`) rather than read a delta as a whole record.
public struct PushRequest: Codable, Sendable {
    /// The pushing replica. The server binds it to the token on first use and refuses it from any other token.
    public var replica: ReplicaID
    /// The records, whole, or for those named in `stores` only the stores named there.
    public var records: [RecordState]
    /// The records sent as deltas (`RecordDelta`): their carried stores, by record id.
    public var stores: [String: Set<WriteTarget>]
    /// Version 2: the answer also carries the first pull page after this cursor (at most `limit` changes), read
    /// once the push is committed, so a sync with edits takes one round trip.
    public var pull: PullRequest?
    /// The replica found the server's history went back: the server keeps what it can believe of each record
    /// (the pusher's own writes, and what it already holds of others) instead of refusing the batch.
    public var recover: Bool
    /// The protocol version the push is written in: 2 (`changes`, compact records, deltas allowed) or 1.
    public var version: Int

    /// A push written in `version`; without it, version 2 when it holds deltas, else version 1.
    public init(
        replica: ReplicaID, records: [RecordState], stores: [String: Set<WriteTarget>] = [:], recover: Bool = false,
        version: Int? = nil
    ) {
        precondition(stores.isEmpty || version ?? 2 >= 2, "deltas travel in version 2 only")
        self.replica = replica
        self.records = records
        self.stores = stores
        self.recover = recover
        self.version = version ?? (stores.isEmpty ? 1 : 2)
    }

    /// A pull page asked for with a push: after `since`, at most `limit` changes.
    public struct PullRequest: Sendable, Equatable {
        public var since: UInt64
        public var limit: Int

        public init(since: UInt64, limit: Int) {
            self.since = since
            self.limit = limit
        }
    }

    /// `Codable` reads and writes the version-1 form (whole records); deltas travel through `RecordJSON`.
    private enum CodingKeys: String, CodingKey {
        case replica, records, recover
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        replica = try container.decode(ReplicaID.self, forKey: .replica)
        records = try container.decode([RecordState].self, forKey: .records)
        stores = [:]
        pull = nil
        recover = try container.decodeIfPresent(Bool.self, forKey: .recover) ?? false
        version = 1
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
    /// Records of a recovering push of which the server could believe only part (they carry writes of other
    /// replicas it no longer holds): the pusher keeps them queued and pushes them again at its next sync.
    public var partial: [String]
    /// Where the server's history stands after this push, in the pusher's scope.
    public var history: HistoryPosition?
    /// The pull page the push asked for (`PushRequest.pull`), read after the commit.
    public var page: PullResponse?

    public init(
        received: Int, changed: Int, evicted: [String] = [], held: [String] = [], partial: [String] = [],
        history: HistoryPosition? = nil
    ) {
        self.received = received
        self.changed = changed
        self.evicted = evicted
        self.held = held
        self.partial = partial
        self.history = history
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        received = try container.decode(Int.self, forKey: .received)
        changed = try container.decode(Int.self, forKey: .changed)
        evicted = try container.decodeIfPresent([String].self, forKey: .evicted) ?? []
        held = try container.decodeIfPresent([String].self, forKey: .held) ?? []
        partial = try container.decodeIfPresent([String].self, forKey: .partial) ?? []
        history = try container.decodeIfPresent(HistoryPosition.self, forKey: .history)
        page = nil
    }

    // `Codable` reads the push's own answer; a page it carries is read by `RecordJSON.decodePushResponse`.
    private enum CodingKeys: String, CodingKey {
        case received, changed, evicted, held, partial, history
    }

    public static func == (lhs: PushResponse, rhs: PushResponse) -> Bool {
        lhs.received == rhs.received && lhs.changed == rhs.changed && lhs.evicted == rhs.evicted
            && lhs.held == rhs.held && lhs.partial == rhs.partial && lhs.history == rhs.history
            && lhs.page?.cursor == rhs.page?.cursor
    }
}

/// `GET /v1/pull?since=CURSOR&limit=N`: the records changed after `since`, in server sequence order.
public struct PullResponse: Codable, Sendable {
    public var records: [RecordState]
    /// The sequence of the last record in this page: the `since` of the next pull.
    public var cursor: UInt64
    /// Whether more changes follow this page.
    public var more: Bool
    /// The latest sequence in the puller's scope when the page was read, for progress.
    public var latest: UInt64
    /// The server's wall clock when it answered (milliseconds since 1970).
    public var time: UInt64?
    /// The epoch the page was read in; with `cursor`, the replica's new position in the server's history.
    public var epoch: String?
    /// Records that left the puller's scope since `since`: the replica drops them.
    public var evicted: [String]
    /// Records sent as deltas (to a puller of version 2): their carried stores, by record id. The puller holds
    /// every other store as the server does.
    public var stores: [String: Set<WriteTarget>]
    /// The protocol version the server speaks (absent from a version-1 server).
    public var protocolVersion: Int?
    /// When this replica last synced before this pull, sent when it was away past the server's retention horizon
    /// while a compaction removed the contents of records deleted meanwhile (milliseconds since 1970).
    public var awaySince: UInt64?
    /// Each record's JSON as received, when the page was read by `RecordJSON` (not part of the wire form): a
    /// replica stores a record it did not have as it came, rather than encoding it again.
    public var receivedJSON: [String]?

    private enum CodingKeys: String, CodingKey {
        // `Codable` reads and writes whole records; a page's deltas travel through `RecordJSON`.
        case records, cursor, more, latest, evicted, time, epoch
        case protocolVersion = "protocol"
    }

    public init(
        records: [RecordState], cursor: UInt64, more: Bool, latest: UInt64, evicted: [String] = [],
        receivedJSON: [String]? = nil, time: UInt64? = nil, epoch: String? = nil,
        stores: [String: Set<WriteTarget>] = [:], protocolVersion: Int? = nil
    ) {
        self.stores = stores
        self.protocolVersion = protocolVersion
        self.time = time
        self.epoch = epoch
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
        time = try container.decodeIfPresent(UInt64.self, forKey: .time)
        epoch = try container.decodeIfPresent(String.self, forKey: .epoch)
        stores = [:]
        protocolVersion = try container.decodeIfPresent(Int.self, forKey: .protocolVersion)
    }
}

/// `GET /v1/session`: who the token belongs to, and which server this is.
public struct SessionInfo: Codable, Sendable, Equatable {
    /// The server's stable id: a replica refuses to sync with another server than the one it was made for.
    public var server: ReplicaID
    public var principal: Principal
    public var protocolVersion: Int
    /// The server's wall clock when it answered (milliseconds since 1970), so a device can tell its clock is off.
    public var time: UInt64?
    /// The epoch the server is in.
    public var epoch: String?

    public init(
        server: ReplicaID, principal: Principal, protocolVersion: Int = ProtocolVersion.current, time: UInt64? = nil,
        epoch: String? = nil
    ) {
        self.server = server
        self.principal = principal
        self.protocolVersion = protocolVersion
        self.time = time
        self.epoch = epoch
    }
}

/// The body of every error response: `{"error": short code, "detail": what was wrong}`.
public struct ErrorBody: Codable, Sendable, Equatable {
    public var error: String
    public var detail: String
    /// `history_changed`: the sequence to pull again from, and the server's epoch now.
    public var resume: UInt64?
    public var epoch: String?
    /// `clock_ahead`: the server's wall clock (milliseconds since 1970).
    public var serverTime: UInt64?

    public init(error: String, detail: String, resume: UInt64? = nil, epoch: String? = nil, serverTime: UInt64? = nil) {
        self.error = error
        self.detail = detail
        self.resume = resume
        self.epoch = epoch
        self.serverTime = serverTime
    }
}

/// The server a replica was made for, named on each of its requests (`PlanSync-Server: ID`): a server with
/// another id refuses the request (`409 another_server`) before reading it, so a replica whose server's address
/// now answers for another server never pushes into it.
public enum ServerIdentity {
    public static let header = "PlanSync-Server"
}

/// `POST /v1/key`: a replica registers its public signing key with its id (first use binds it).
public struct KeyRegistration: Codable, Sendable, Equatable {
    public var replica: ReplicaID
    /// The Ed25519 public key, 32 raw bytes in base64 (`ReplicaKey`).
    public var key: String

    public init(replica: ReplicaID, key: ReplicaKey) {
        self.replica = replica
        self.key = key.description
    }
}

/// `POST /v1/relay`: a push signed by `signer`, carried by another replica (from a bundle). Answered with a
/// `PushResponse`, as the signer's own push would be.
public struct RelayRequest: Codable, Sendable, Equatable {
    public var signer: ReplicaID
    /// The signed push's bytes, in base64.
    public var payload: String
    public var signature: String

    public init(_ section: SignedSection) {
        signer = section.signer
        payload = Data(section.payload).base64EncodedString()
        signature = section.signature
    }

    /// The section, or nil when `payload` is not base64.
    public var section: SignedSection? {
        guard let bytes = Data(base64Encoded: payload) else { return nil }
        return SignedSection(signer: signer, payload: [UInt8](bytes), signature: signature)
    }
}

extension PullResponse {
    /// The header of a pull's answer that says, when more changes follow, where the next page starts (`EPOCH:SEQ`,
    /// this page's `epoch` and `cursor`): a client may ask for that page before it has read this one.
    public static let nextHeader = "PlanSync-Next"

    /// Where the next page starts when more changes follow: the `since` and the history position of the next pull.
    public var next: HistoryPosition? {
        more ? epoch.map { HistoryPosition(epoch: $0, seq: cursor) } : nil
    }
}
