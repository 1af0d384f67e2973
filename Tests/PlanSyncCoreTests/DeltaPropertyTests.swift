import PlanSyncCore
import PlanSyncTestSupport
import Testing

/// CAUSALITY's "Deltas": for every history, joining deltas must leave every copy exactly where joining whole
/// states leaves it. Two worlds run the same random history — edits, deletes, concurrent writes, replayed
/// pushes, acknowledgements lost (the delta is sent again), pulls applied twice. In one every push and pull
/// carries whole records; in the other a push carries only the stores its replica wrote since its last
/// acknowledged push, and a pull only the stores the server changed since the puller's last pull. After every
/// step both worlds hold identical states on every replica and on the server.
@Suite("Delta properties")
struct DeltaPropertyTests {
    static let ids = ConvergencePropertyTests.ids

    /// A star of replicas around a server, syncing by deltas.
    struct DeltaWorld {
        var replicas: [[String: RecordState]]
        var server: [String: RecordState]
        /// Per replica and record, the stores written locally since the last acknowledged push.
        var written: [[String: Set<WriteTarget>]]
        /// Per record, the stores the server changed at each change, with a sequence, for pulls.
        var changes: [(seq: Int, id: String, stores: Set<WriteTarget>)] = []
        var cursors: [Int]

        init(_ whole: Simulation) {
            replicas = whole.replicas.map(\.records)
            server = whole.server
            written = Array(repeating: [:], count: whole.replicas.count)
            cursors = Array(repeating: 0, count: whole.replicas.count)
        }

        mutating func wrote(_ id: String, _ targets: Set<WriteTarget>, on index: Int) {
            written[index][id, default: []].formUnion(targets)
        }

        /// Pushes the deltas of replica `index`; the acknowledgement clears what was written unless it is lost.
        mutating func push(_ index: Int, acknowledged: Bool) {
            for (id, stores) in written[index] {
                let delta = RecordDelta(replicas[index][id]!, stores: stores)
                let stored = server[id]
                let joined = stored.map { $0.joined(with: delta) } ?? delta.state
                guard joined != stored else { continue }
                server[id] = joined
                changes.append((changes.count + 1, id, joined.targetsChanged(from: stored)))
            }
            if acknowledged { written[index] = [:] }
        }

        /// Pulls, as deltas, what the server changed since the replica's cursor.
        mutating func pull(_ index: Int) {
            var stores: [String: Set<WriteTarget>] = [:]
            for change in changes where change.seq > cursors[index] { stores[change.id, default: []].formUnion(change.stores) }
            for (id, changed) in stores {
                let delta = RecordDelta(server[id]!, stores: changed)
                replicas[index][id] = replicas[index][id].map { $0.joined(with: delta) } ?? server[id]!
            }
            cursors[index] = changes.count
        }
    }

    @Test(arguments: Array(UInt64(1)...200))
    func deltasMeanWhatWholeStatesMean(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let count = 3
        var whole = Simulation(replicas: count)
        for id in Self.ids {
            try whole.create(id, collection: "activity", on: 0, fields: ["title": "t", "comment": "c0"])
        }
        try whole.sync(0)
        for index in 1..<count { whole.pull(index) }
        var deltas = DeltaWorld(whole)
        deltas.changes = Self.ids.map { (0, $0, []) }
        for step in 0..<80 {
            let index = Int.random(in: 0..<count, using: &rng)
            switch Int.random(in: 0..<7, using: &rng) {
            case 0...2:
                let id = Self.ids.randomElement(using: &rng)!
                let before = whole.state(id, on: index)
                let edit = ConvergencePropertyTests.randomEdit(&rng, state: before)
                whole.replicas[index].wall += UInt64.random(in: 0...3, using: &rng)
                do { try whole.edit(id, edit, on: index, wallAdvance: 0) } catch { continue }
                let after = whole.state(id, on: index)
                deltas.replicas[index][id] = after
                // What the outbox records: the stores this write touched.
                deltas.wrote(id, after.targetsChanged(from: before).union([edit.target]), on: index)
            case 3:
                try whole.push(index)
                deltas.push(index, acknowledged: true)
            case 4:
                // The server commits but the answer is lost: the replica sends the same again later.
                try whole.push(index)
                deltas.push(index, acknowledged: false)
            case 5:
                whole.pull(index)
                deltas.pull(index)
            default:
                // A page applied twice.
                whole.pull(index)
                whole.pull(index)
                deltas.pull(index)
                deltas.pull(index)
            }
            for replica in 0..<count {
                #expect(
                    deltas.replicas[replica] == whole.replicas[replica].records,
                    "seed \(seed) step \(step): replica \(replica) differs")
            }
            #expect(deltas.server == whole.server, "seed \(seed) step \(step): the server differs")
        }
    }
}
