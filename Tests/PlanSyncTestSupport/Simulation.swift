import PlanSyncCore

/// Replicas of one record set held in memory, writing with manual clocks and syncing through an in-memory
/// "server" that runs the core's push plan (verification, join, role) as the real server does.
public struct Simulation {
    public struct Replica {
        public var clock: HybridLogicalClock
        public var records: [String: RecordState] = [:]
        public var wall: UInt64
        public var principal: Principal

        public var id: ReplicaID { clock.replica }
    }

    public var replicas: [Replica]
    public var server: [String: RecordState] = [:]
    /// The replica whose push the server's state of a record equals, as the real server marks it: that
    /// replica's pulls skip the record.
    public var origin: [String: Int] = [:]
    public let serverID = ReplicaID("server")
    public let schema: Schema

    public init(replicas count: Int, schema: Schema = .planSync) {
        self.schema = schema
        replicas = (0..<count).map { index in
            let id = ReplicaID(String(UnicodeScalar(UInt8(ascii: "A") + UInt8(index))))
            return Replica(
                clock: HybridLogicalClock(replica: id), wall: 1_000, principal: Principal(name: "user-\(id)", role: .admin))
        }
    }

    /// The server's clock: as far as the furthest replica's, as a well-set server's would be.
    public var serverNow: UInt64 { replicas.map(\.wall).max() ?? 0 }

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
        let writer = try writer(index)
        guard var state = replicas[index].records[id] else { fatalError("no record \(id) on \(index)") }
        try state.apply(edit, schema: schema, by: writer)
        replicas[index].records[id] = state
    }

    /// A fresh writer for replica `index`: one tick of its clock.
    public mutating func writer(_ index: Int) throws -> Writer {
        let time = try replicas[index].clock.tick(now: replicas[index].wall)
        return Writer(time: time, author: replicas[index].principal.name)
    }

    /// Push every record of the replica to the server (joined there), then pull everything back (joined here).
    public mutating func sync(_ index: Int) throws {
        try push(index)
        pull(index)
    }

    /// Pushes every record the replica holds as one batch through the core's push plan. A refused batch
    /// changes nothing and throws the refusal. Returns the ids the server could believe only in part.
    @discardableResult
    public mutating func push(_ index: Int, recover: Bool = false) throws -> [String] {
        try push(Array(replicas[index].records.values), from: index, recover: recover)
    }

    /// Pushes `records` as replica `index` (possibly records it never had: a forged push).
    @discardableResult
    public mutating func push(_ records: [RecordState], from index: Int, recover: Bool = false) throws -> [String] {
        let plan = PushPlan(
            verification: PushVerification(
                pusher: replicas[index].id, principal: replicas[index].principal, now: serverNow, schema: schema),
            server: serverID, recovering: recover)
        var next = server
        var nextOrigin = origin
        var partial: [String] = []
        for state in records.sorted(by: { $0.id < $1.id }) {
            let step = try plan.step(incoming: state, stored: next[state.id], lookup: { next[$0] })
            if step.partial { partial.append(state.id) }
            switch step.decision {
            case .unchanged, .evict: continue
            case .store(let joined, let mark):
                next[state.id] = joined
                nextOrigin[state.id] = mark == replicas[index].id ? index : nil
            case .hold(let held):
                if next[held.id] == nil { next[held.id] = held }
                nextOrigin[state.id] = nil
            }
        }
        server = next
        origin = nextOrigin
        return partial
    }

    public mutating func pull(_ index: Int) {
        let limit = replicas[index].wall + CausalBounds.maxDrift
        for (id, state) in server where origin[id] != index {
            replicas[index].records[id] = replicas[index].records[id].map { $0.joined(with: state) } ?? state
            if let time = state.latestTime { replicas[index].clock.observe(time, limit: limit) }
        }
    }

    /// Direct replica-to-replica join of one record, in one direction.
    public mutating func deliver(_ id: String, from source: Int, to target: Int) {
        guard let state = replicas[source].records[id] else { return }
        replicas[target].records[id] = replicas[target].records[id].map { $0.joined(with: state) } ?? state
        if let time = state.latestTime {
            replicas[target].clock.observe(time, limit: replicas[target].wall + CausalBounds.maxDrift)
        }
    }

    public func state(_ id: String, on index: Int) -> RecordState {
        replicas[index].records[id]!
    }

    public func dump(_ index: Int) throws -> String {
        try CanonicalDump(replicas[index].records.values, schema: schema).json()
    }
}
