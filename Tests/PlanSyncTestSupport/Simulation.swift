import PlanSyncCore

/// Replicas of one record set held in memory, writing with manual clocks and syncing through an in-memory
/// "server" with the core's join, as the real replica and server do.
public struct Simulation {
    public struct Replica {
        public var clock: HybridLogicalClock
        public var records: [String: RecordState] = [:]
        public var wall: UInt64

        public var id: ReplicaID { clock.replica }
    }

    public var replicas: [Replica]
    public var server: [String: RecordState] = [:]
    /// The replica whose push the server's state of a record equals, as the real server marks it: that
    /// replica's pulls skip the record.
    public var origin: [String: Int] = [:]
    public let schema: Schema

    public init(replicas count: Int, schema: Schema = .planSync) {
        self.schema = schema
        replicas = (0..<count).map { index in
            let id = ReplicaID(String(UnicodeScalar(UInt8(ascii: "A") + UInt8(index))))
            return Replica(clock: HybridLogicalClock(replica: id), wall: 1_000)
        }
    }

    /// Creates a record on replica `index` (as the central team would) and returns its id.
    public mutating func create(_ id: String, collection: String, on index: Int, fields: [String: String] = [:]) throws {
        var state = RecordState(id: id, collection: collection)
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            try state.apply(.set(field: name, value: value), schema: schema, by: writer(index))
        }
        replicas[index].records[id] = state
    }

    /// Applies an edit on one replica, as a local offline write.
    public mutating func edit(_ id: String, _ edit: Edit, on index: Int, wallAdvance: UInt64 = 1) throws {
        replicas[index].wall += wallAdvance
        let writer = writer(index)
        guard var state = replicas[index].records[id] else { fatalError("no record \(id) on \(index)") }
        try state.apply(edit, schema: schema, by: writer)
        replicas[index].records[id] = state
    }

    /// A fresh writer for replica `index`: one tick of its clock.
    public mutating func writer(_ index: Int) -> Writer {
        let time = replicas[index].clock.tick(now: replicas[index].wall)
        return Writer(time: time, author: "user-\(replicas[index].id)")
    }

    /// Push every record of the replica to the server (joined there), then pull everything back (joined here).
    public mutating func sync(_ index: Int) {
        push(index)
        pull(index)
    }

    public mutating func push(_ index: Int) {
        for (id, state) in replicas[index].records {
            let joined = server[id].map { $0.joined(with: state) } ?? state
            guard joined != server[id] else { continue }
            server[id] = joined
            origin[id] = joined == state ? index : nil
        }
    }

    public mutating func pull(_ index: Int) {
        for (id, state) in server where origin[id] != index {
            replicas[index].records[id] = replicas[index].records[id].map { $0.joined(with: state) } ?? state
            if let time = state.latestTime { replicas[index].clock.observe(time) }
        }
    }

    /// Direct replica-to-replica join of one record, in one direction.
    public mutating func deliver(_ id: String, from source: Int, to target: Int) {
        guard let state = replicas[source].records[id] else { return }
        replicas[target].records[id] = replicas[target].records[id].map { $0.joined(with: state) } ?? state
        if let time = state.latestTime { replicas[target].clock.observe(time) }
    }

    public func state(_ id: String, on index: Int) -> RecordState {
        replicas[index].records[id]!
    }

    public func dump(_ index: Int) throws -> String {
        try CanonicalDump(replicas[index].records.values, schema: schema).json()
    }
}
