import Foundation
import PlanSyncCore
import PlanSyncTestSupport
import Testing

/// CAUSALITY's "Deltas": whatever the history, a delta must mean exactly what the whole record means. One world
/// of replicas around a server runs random histories — edits, deletes, concurrent writes, answers lost (the same
/// push sent again), pushes cut before they arrive, pulls one page at a time with pushes of others between
/// pages, pages applied twice — doing what the replica and the server do on the wire:
/// - a replica keeps, for each queued record, the copy the server acknowledged (its base) and pushes
///   `RecordDelta(current, since: base)`: whole when it has no base, or when an earlier push of it got no
///   answer;
/// - the server runs the core's `PushPlan` on each delta with its carried stores, notes at which sequence each
///   store changed, and marks the origin as the plan says;
/// - a pull reads the change feed of stores after the puller's cursor, a page of a few records at a time, and
///   sends each record of the page as a delta of its stores changed after the cursor (whole when it is new to
///   the puller), skipping records whose origin is the puller;
/// - one replica speaks version 1 (whole pushes, whole pulls) among the others.
/// Every push is checked against the same push sent whole (the plan decides the same), every record a pull
/// applies against the join of the server's whole record at that moment, and a caught-up replica against the
/// join of everything the server holds.
@Suite("Delta properties")
struct DeltaPropertyTests {
    static let ids = ConvergencePropertyTests.ids + ["plan/A.3"]
    /// 200 fixed seeds; `PLANSYNC_DELTA_SEEDS=N` runs seeds 1…N instead (a longer run).
    static let seeds: [UInt64] = Array(
        1...(ProcessInfo.processInfo.environment["PLANSYNC_DELTA_SEEDS"].flatMap(UInt64.init) ?? 200))

    /// A star of replicas around a server, syncing as the wire does in version 2.
    struct DeltaWorld {
        struct Stored {
            var state: RecordState
            /// The last change a delta cannot carry (the record new): the feed's `*` row.
            var wholeSeq: UInt64
            var storeSeq: [WriteTarget: UInt64] = [:]
            var origin: Int?
            /// As the embedded store keeps it by field: the state when last written whole, and the stores
            /// written alone since (`record_store` pieces).
            var snapshot: RecordState
            var pieces: [WriteTarget: String] = [:]

            init(state: RecordState, wholeSeq: UInt64) {
                self.state = state
                self.wholeSeq = wholeSeq
                snapshot = state
            }

            /// The record as the store reads it back from the snapshot and the pieces, all or only `wanted`.
            func read(only wanted: Set<WriteTarget>? = nil) throws -> RecordState {
                try RecordJSON.stored(
                    snapshot: RecordJSON.string(snapshot), context: RecordJSON.context(of: state),
                    pieces: pieces.sorted { $0.key.storeName < $1.key.storeName }.map { ($0.key, $0.value) },
                    only: wanted)
            }
        }

        var sim: Simulation
        /// Per replica, the queued records and the copy the server acknowledged of each (nil: created there).
        var outbox: [[String: RecordState?]]
        /// Per replica, queued records pushed without an answer: the server may hold writes their base lacks.
        var sent: [Set<String>]
        /// Per replica, the stores local writes changed since each queued record's base was kept (the outbox's
        /// `stores`): what a push reads and sends of a record that has a base.
        var touched: [[String: Set<WriteTarget>]]
        var server: [String: Stored] = [:]
        var seq: UInt64 = 0
        var cursors: [UInt64]
        /// Replicas that speak protocol version 1.
        let version1: Set<Int>
        var mismatches: [String] = []
        /// Pushes planned on the carried stores alone, as the embedded store plans them.
        var byField = 0

        init(_ sim: Simulation, version1: Set<Int>) {
            self.sim = sim
            outbox = Array(repeating: [:], count: sim.replicas.count)
            sent = Array(repeating: [], count: sim.replicas.count)
            touched = Array(repeating: [:], count: sim.replicas.count)
            self.version1 = version1
            for (id, state) in sim.server.sorted(by: { $0.key < $1.key }) {
                seq += 1
                server[id] = Stored(state: state, wholeSeq: seq)
            }
            cursors = Array(repeating: seq, count: sim.replicas.count)
        }

        func record(_ id: String, on index: Int) -> RecordState? { sim.replicas[index].records[id] }

        /// A local write (in `sim`): the first since the last acknowledged push keeps the copy before it.
        mutating func edit(_ id: String, _ edit: Edit, on index: Int) throws {
            let before = record(id, on: index)
            try sim.edit(id, edit, on: index, wallAdvance: 0)
            if outbox[index][id] == nil { outbox[index][id] = .some(before) }
            // As the replica notes it: the edit's target (its one store).
            if before != nil { touched[index][id, default: []].insert(edit.target) }
        }

        /// Pushes the queued records of replica `index` through the core's plan, and checks the plan decides
        /// for each delta what it decides for the same record whole. The acknowledgement empties the outbox
        /// unless it is lost.
        mutating func push(_ index: Int, acknowledged: Bool) throws {
            let replica = sim.replicas[index]
            let plan = PushPlan(
                verification: PushVerification(pusher: replica.id, principal: replica.principal, now: sim.serverNow),
                server: sim.serverID)
            for (id, base) in outbox[index].sorted(by: { $0.key < $1.key }) {
                let local = replica.records[id]!
                let found = RecordDelta(local, since: base ?? nil)
                // As `Replica.pending` reads it: the stores the outbox noted, when the record has a base.
                let noted = (base ?? nil).flatMap { _ in touched[index][id] }.flatMap { $0.isEmpty ? nil : $0 }
                if let found, !found.stores.isSubset(of: noted ?? found.stores) {
                    mismatches.append("\(id) on \(index): the outbox noted \(noted ?? []), not all of \(found.stores)")
                }
                let sentDelta =
                    version1.contains(index) || sent[index].contains(id)
                    ? nil : noted.map { RecordDelta(local, stores: $0) } ?? found
                // As the server reads it off the wire: compact in version 2, verbose in version 1.
                let delta = try sentDelta.map { try Self.wire($0) }
                let current = try Self.wire(local, version: version1.contains(index) ? 1 : 2)
                let stored = server[id]
                let lookup: (String) -> RecordState? = { [server] in server[$0]?.state }
                let step = try plan.step(
                    incoming: delta?.state ?? current, carried: delta?.stores, stored: stored?.state, lookup: lookup)
                let whole = try plan.step(incoming: current, stored: stored?.state, lookup: lookup)
                if Self.summary(step.decision) != Self.summary(whole.decision) {
                    mismatches.append("push of \(id) by \(index): the delta's plan differs from the whole record's")
                }
                // Planned as the embedded store plans it: on the stores it reads by field, when the plan needs no
                // more. Its step, filled from the whole stored record, must be the whole record's.
                let read = delta.flatMap { plan.storesRead(for: $0.state, carried: $0.stores) }
                if let read, let stored {
                    byField += 1
                    let part = try stored.read(only: read)
                    if part != RecordDelta(stored.state, stores: read).state {
                        mismatches.append("\(id): its stores \(read) read by field differ from the stored record's")
                    }
                    var planned = try plan.step(
                        incoming: delta!.state, carried: delta!.stores, stored: part, lookup: lookup)
                    if case .store(let joined, let origin) = planned.decision {
                        planned.decision = .store(
                            RecordDelta(joined, stores: read).filled(from: stored.state), origin: origin)
                    }
                    if Self.summary(planned.decision) != Self.summary(step.decision) {
                        mismatches.append("push of \(id) by \(index): planned on its stores \(read), it differs")
                    }
                }
                guard case .store(let joined, let origin) = step.decision else { continue }
                seq += 1
                var next = stored ?? Stored(state: joined, wholeSeq: seq)
                // A change of no store (the context alone) goes whole, as the server sends it.
                let changed = stored == nil ? [] : joined.targetsChanged(from: stored?.state)
                if stored != nil, changed.isEmpty { next.wholeSeq = seq }
                for target in changed { next.storeSeq[target] = seq }
                if read != nil, stored != nil, !changed.isEmpty {
                    for target in changed { next.pieces[target] = RecordJSON.store(target, of: joined) }
                } else {
                    (next.snapshot, next.pieces) = (joined, [:])
                }
                next.state = joined
                if try next.read() != joined {
                    mismatches.append("\(id): stored by field, it reads back as another state")
                }
                next.origin = origin == replica.id ? index : nil
                server[id] = next
                sim.server[id] = joined
            }
            if acknowledged {
                outbox[index] = [:]
                sent[index] = []
                touched[index] = [:]
            } else {
                sent[index].formUnion(outbox[index].keys)
            }
        }

        /// A delta as a version-2 push carries it and the server reads it back.
        static func wire(_ delta: RecordDelta) throws -> RecordDelta {
            let push = PushRequest(
                replica: ReplicaID("w"), records: [delta.state], stores: [delta.state.id: delta.stores])
            let read = try RecordJSON.encode(push).withUnsafeBufferPointer { try RecordJSON.decodePush($0) }
            return RecordDelta(read.records[0], stores: read.stores[delta.state.id] ?? [])
        }

        /// A whole record as a push of `version` carries it and the server reads it back.
        static func wire(_ state: RecordState, version: Int) throws -> RecordState {
            let push = PushRequest(replica: ReplicaID("w"), records: [state], version: version)
            return try RecordJSON.encode(push).withUnsafeBufferPointer { try RecordJSON.decodePush($0) }.records[0]
        }

        /// What a decision stores, comparable.
        static func summary(_ decision: PushDecision) -> [RecordState?] {
            switch decision {
            case .unchanged: []
            case .evict: [nil]
            case .store(let state, let origin):
                [state, origin.map { RecordState(id: $0.rawValue, collection: "origin") }]
            case .hold(let held): [nil, held]
            }
        }

        /// One page of the feed after replica `index`'s cursor: at most `limit` records, in the order of their
        /// first change after the cursor, each whole or as a delta of its stores changed after the cursor.
        func page(_ index: Int, limit: Int) throws -> (
            records: [(state: RecordState, delta: RecordDelta?)], cursor: UInt64
        ) {
            let since = cursors[index]
            var rows: [(seq: UInt64, id: String)] = []
            for (id, stored) in server {
                rows.append((stored.wholeSeq, id))
                rows += stored.storeSeq.values.map { ($0, id) }
            }
            var taken: [String] = []
            var cursor = since
            for row in rows.filter({ $0.seq > since }).sorted(by: { $0.seq < $1.seq }) {
                if !taken.contains(row.id) {
                    guard taken.count < limit else { break }
                    taken.append(row.id)
                }
                cursor = row.seq
            }
            let records = try taken.compactMap { id -> (RecordState, RecordDelta?)? in
                let stored = server[id]!
                guard stored.origin != index else { return nil }
                guard !version1.contains(index), stored.wholeSeq <= since else {
                    // Whole: stored compact, sent compact in version 2, rewritten verbose for version 1.
                    var json = RecordJSON.string(stored.state)
                    if version1.contains(index) { json = try RecordJSON.verbose(json) }
                    return (try Self.pulled(json).state, nil)
                }
                let changed = Set(stored.storeSeq.filter { $0.value > since }.keys)
                // As the server puts it together from its stored pieces, and the puller reads it.
                let json = String(
                    decoding: try RecordJSON.delta(
                        id: id, collection: stored.state.collection, context: RecordJSON.context(of: stored.state),
                        stores: changed.map { ($0, RecordJSON.store($0, of: stored.state)) }), as: UTF8.self)
                let (state, stores) = try Self.pulled(json)
                return (state, RecordDelta(state, stores: stores ?? []))
            }
            return (records, cursor)
        }

        /// One record of a pull page as the puller reads it, with the stores it carries when it is a delta.
        static func pulled(_ json: String) throws -> (state: RecordState, stores: Set<WriteTarget>?) {
            let body = Array("{\"records\":[\(json)],\"cursor\":1,\"more\":false,\"latest\":1}".utf8)
            let page = try body.withUnsafeBufferPointer { try RecordJSON.decodePull($0) }
            return (page.records[0], page.stores[page.records[0].id])
        }

        /// Joins a page as `Replica.apply` does, into the records and into the bases of queued ones, and checks
        /// each delta's join against the join of the server's whole record.
        mutating func apply(
            _ page: (records: [(state: RecordState, delta: RecordDelta?)], cursor: UInt64), on index: Int
        ) {
            for (state, delta) in page.records {
                let id = state.id
                func join(_ local: RecordState?) -> RecordState {
                    guard let local else { return delta?.state ?? state }
                    return delta.map { local.joined(with: $0) } ?? local.joined(with: state)
                }
                let local = record(id, on: index)
                let joined = join(local)
                let reference = local.map { $0.joined(with: server[id]!.state) } ?? server[id]!.state
                if joined != reference { mismatches.append("pull of \(id) by \(index): the delta's join differs") }
                if let base = outbox[index][id] { outbox[index][id] = .some(join(base)) }
                sim.replicas[index].records[id] = joined
                if let time = state.latestTime {
                    sim.replicas[index].clock.observe(time, limit: sim.replicas[index].wall + CausalBounds.maxDrift)
                }
            }
            cursors[index] = page.cursor
        }

        /// Pulls until caught up, and checks the replica then holds what joining every server record gives.
        mutating func catchUp(_ index: Int) throws {
            while cursors[index] < seq {
                let next = try page(index, limit: 2)
                precondition(next.cursor > cursors[index], "a page moves the cursor while changes remain")
                apply(next, on: index)
            }
            for (id, stored) in server {
                let expected = record(id, on: index).map { $0.joined(with: stored.state) } ?? stored.state
                if record(id, on: index) != expected { mismatches.append("\(id) on \(index) after catching up") }
            }
        }
    }

    @Test(arguments: seeds)
    func deltasMeanWhatWholeStatesMean(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let count = 3
        var sim = Simulation(replicas: count)
        for id in Self.ids {
            try sim.create(id, collection: "activity", on: 0, fields: ["title": "t", "comment": "c0"])
        }
        try sim.sync(0)
        for index in 1..<count { sim.pull(index) }
        var world = DeltaWorld(sim, version1: [2])
        for step in 0..<100 {
            let index = Int.random(in: 0..<count, using: &rng)
            switch Int.random(in: 0..<9, using: &rng) {
            case 0...2:
                let id = Self.ids.randomElement(using: &rng)!
                let edit = ConvergencePropertyTests.randomEdit(&rng, state: world.record(id, on: index)!)
                world.sim.replicas[index].wall += UInt64.random(in: 0...3, using: &rng)
                do { try world.edit(id, edit, on: index) } catch { continue }
            case 3:
                try world.push(index, acknowledged: true)
            case 4:
                // The server commits but the answer is lost (a crash between push and acknowledgement): the
                // replica sends the same again later.
                try world.push(index, acknowledged: false)
            case 5:
                // The connection is cut before the push arrives: nothing changes anywhere.
                continue
            case 6, 7:
                // One page, then other replicas may push before the next.
                world.apply(try world.page(index, limit: Int.random(in: 1...2, using: &rng)), on: index)
            default:
                // A page applied twice, then the rest of the pull.
                let page = try world.page(index, limit: 1)
                world.apply(page, on: index)
                world.apply(page, on: index)
                try world.catchUp(index)
            }
            #expect(world.mismatches.isEmpty, "seed \(seed) step \(step): \(world.mismatches.prefix(3))")
            if !world.mismatches.isEmpty { return }
        }
        // Everyone pushes and catches up twice: all agree.
        for _ in 0..<2 {
            for index in 0..<count {
                try world.push(index, acknowledged: true)
                try world.catchUp(index)
            }
        }
        #expect(world.mismatches.isEmpty, "seed \(seed) at the end: \(world.mismatches.prefix(3))")
        for index in 1..<count { #expect(try world.sim.dump(index) == (try world.sim.dump(0)), "seed \(seed)") }
    }

    /// Worked case D7: A pushes a delta of `status` while the server holds B's newer `comment`, which A has not
    /// pulled. The server must not mark its copy as A's own: A's next pull brings B's comment.
    @Test func aDeltaDoesNotHideWhatThePusherHasNotPulled() throws {
        var world = try Self.world(replicas: 2)
        try world.edit("plan/A.1", .set(field: "comment", value: "from B"), on: 1)
        try world.push(1, acknowledged: true)
        try world.edit("plan/A.1", .set(field: "status", value: "on-track"), on: 0)
        try world.push(0, acknowledged: true)
        #expect(world.server["plan/A.1"]?.origin == nil)
        #expect(world.byField == 2, "both deltas are planned and stored by field")
        try world.catchUp(0)
        #expect(world.record("plan/A.1", on: 0)?.fields["comment"]?.map(\.value) == ["from B"])
        #expect(world.mismatches.isEmpty, "\(world.mismatches)")
    }

    /// Worked case D9: A's pull reads one page; before the next, B changes `status` of a record whose `comment`
    /// changed in a range A has not read yet. The feed is of stores, not records: the comment is still at its
    /// place in the feed, so A gets it, and then the status.
    @Test func aChangeBetweenPagesDoesNotHideAnEarlierOne() throws {
        var world = try Self.world(replicas: 3)
        try world.edit("plan/A.2", .set(field: "comment", value: "first"), on: 1)
        try world.push(1, acknowledged: true)
        try world.edit("plan/A.1", .set(field: "comment", value: "second"), on: 1)
        try world.push(1, acknowledged: true)
        world.apply(try world.page(0, limit: 1), on: 0)
        try world.edit("plan/A.2", .set(field: "status", value: "delayed"), on: 2)
        try world.push(2, acknowledged: true)
        try world.catchUp(0)
        #expect(world.record("plan/A.2", on: 0)?.fields["comment"]?.map(\.value) == ["first"])
        #expect(world.record("plan/A.2", on: 0)?.fields["status"]?.map(\.value) == ["delayed"])
        #expect(world.mismatches.isEmpty, "\(world.mismatches)")
    }

    /// Two or three replicas holding the three records created on the first, all caught up.
    static func world(replicas: Int) throws -> DeltaWorld {
        var sim = Simulation(replicas: replicas)
        for id in ids { try sim.create(id, collection: "activity", on: 0, fields: ["title": "t", "comment": "c0"]) }
        try sim.sync(0)
        for index in 1..<replicas { sim.pull(index) }
        return DeltaWorld(sim, version1: [])
    }

    @Test func storeNamesRoundTrip() {
        let targets: [WriteTarget] = [
            .field("comment"), .field("a.b"), .translation(field: "title", language: "fr"),
            .translation(field: "x.y", language: "ar"), .lifecycle,
        ]
        for target in targets { #expect(WriteTarget(storeName: target.storeName) == target) }
        for bad in ["", "fields.", "translations.fr", "translations..x", "translations.fr.", "tombstone", "other.x"] {
            #expect(WriteTarget(storeName: bad) == nil, "'\(bad)'")
        }
    }
}
