import PlanSyncCore

/// What a store holds, counted when asked: the figures `GET /metrics` reports from the data itself, so they
/// are right after a restart.
public struct StoreCensus: Sendable, Hashable {
    /// Records held, deleted ones included (a delete is a tombstone).
    public var records: Int
    /// The size of the store on disk.
    public var bytes: Int
    /// Decisions waiting on someone, as `plansync conflicts` counts them (`RecordState.openDecisions`): fields
    /// and translations in conflict, and pending held edits.
    public var openDecisions: Int
    /// Offices' edits of approved reports waiting for the central team's accept or dismiss.
    public var heldEdits: Int

    public init(records: Int, bytes: Int, openDecisions: Int, heldEdits: Int) {
        self.records = records
        self.bytes = bytes
        self.openDecisions = openDecisions
        self.heldEdits = heldEdits
    }

    /// One record's share of the open decisions and held edits.
    public static func decisions(of record: RecordState, schema: Schema) -> (open: Int, held: Bool) {
        let held = record.collection == "held" && !record.isDeleted && HeldProposal(record, schema: schema).pending
        return (record.openDecisions(schema: schema), held)
    }
}

/// A live token's holder and the replicas bound to its name.
public struct TokenActivity: Sendable, Hashable {
    public var principal: Principal
    public var replicas: [ReplicaActivity]

    public init(principal: Principal, replicas: [ReplicaActivity]) {
        self.principal = principal
        self.replicas = replicas
    }
}

/// A replica and when it last synced (nil: never since it was bound).
public struct ReplicaActivity: Sendable, Hashable {
    public var id: ReplicaID
    /// Milliseconds since 1970.
    public var lastSync: UInt64?

    public init(id: ReplicaID, lastSync: UInt64?) {
        self.id = id
        self.lastSync = lastSync
    }
}
