import Foundation
import PlanSyncCore
import PlanSyncTestSupport
import Testing

/// Random histories on several replicas, synced in random orders with replays and lying pushes mixed in: the
/// laws the join must obey, through the core's push plan as the server runs it. Each history is seeded; a
/// failure prints its seed, and the same seed replays it.
@Suite("Convergence properties")
struct ConvergencePropertyTests {
    static let ids = ["plan/A.1", "plan/A.2"]
    static let seeds: [UInt64] = Array(1...150)

    /// Everything one random history did, for the checks.
    struct History {
        var sim: Simulation
        var written = Set<Dot>()
        var superseded = Set<Dot>()
        var snapshots: [RecordState] = []
        var forged = 0
    }

    /// A push that lies, made from what replica `index` holds: every kind must be refused, changing nothing.
    static func forge(_ rng: inout SeededGenerator, _ sim: inout Simulation, from index: Int) throws {
        let id = ids.randomElement(using: &rng)!
        var state = sim.state(id, on: index)
        let me = sim.replicas[index].id
        let other = sim.replicas[(index + 1) % sim.replicas.count].id
        let time = HybridTimestamp(wall: sim.serverNow, logical: 0, replica: other)
        let kind = Int.random(in: 0..<5, using: &rng)
        switch kind {
        case 0:
            // Another replica's context raised: its next writes would be taken as already superseded.
            state.context = state.context.merged(with: VersionVector([other: state.context[other] + 50]))
        case 1:
            // A write in another replica's name, beyond what the server has seen of it.
            var context = state.context.merged(with: sim.server[id]?.context ?? VersionVector())
            let dot = context.advance(other)
            state.context = context
            state.fields["comment"] = [FieldCandidate(dot: dot, time: time, value: "forged")]
        case 2:
            // A write of its own dated a year ahead of the server's clock.
            var context = state.context
            let dot = context.advance(me)
            state.context = context
            let ahead = HybridTimestamp(wall: sim.serverNow + 365 * 86_400_000, logical: 0, replica: me)
            state.fields["comment"] = [FieldCandidate(dot: dot, time: ahead, value: "from the future")]
        case 3:
            // A held entry altered under its own dot.
            guard var first = state.fields["title"]?.first, sim.server[id]?.fields["title"]?.first == first else {
                return
            }
            first.value += " (altered)"
            state.fields["title"] = [first]
        default:
            // A viewer moving its own context with no write.
            var context = state.context
            _ = context.advance(me)
            state.context = context
        }
        let before = sim.server
        let principal = sim.replicas[index].principal
        if kind == 4 { sim.replicas[index].principal = Principal(name: "viewer", role: .viewer) }
        defer { sim.replicas[index].principal = principal }
        #expect(throws: PushRefusal.self) { try sim.push([state], from: index) }
        #expect(sim.server == before, "a refused push changed the server")
    }

    static func randomEdit(_ rng: inout SeededGenerator, state: RecordState) -> Edit {
        let words = ["alpha", "beta", "gamma", "delta", "OCHA", "UNHCR", "IOM"]
        let word = words.randomElement(using: &rng)!
        switch Int.random(in: 0..<10, using: &rng) {
        case 0, 1: return .set(field: "comment", value: "\(word) \(Int.random(in: 0..<9, using: &rng))")
        case 2: return .set(field: "status", value: ProgressStatus.values.randomElement(using: &rng)!)
        case 3: return .add(field: "focal_points", element: word)
        case 4:
            let present = state.fields["focal_points"]?.map(\.value) ?? []
            return .remove(field: "focal_points", element: present.randomElement(using: &rng) ?? word)
        case 5: return .set(field: "focal_points", value: "\(word)\nUNHCR")
        case 6, 7:
            let language = ["fr", "ar"].randomElement(using: &rng)!
            return .translate(field: "comment", language: language, text: "\(language) \(word)", status: .draft)
        case 8: return .resolve(field: "comment", value: "resolved \(word)")
        default: return .delete
        }
    }

    static func run(seed: UInt64, replicas: Int = 4, steps: Int = 60) throws -> History {
        var rng = SeededGenerator(seed: seed)
        var history = History(sim: Simulation(replicas: replicas))
        for id in ids {
            try history.sim.create(id, collection: "activity", on: 0, fields: ["title": "t", "comment": "c0"])
        }
        try history.sim.sync(0)
        for index in 1..<replicas { history.sim.pull(index) }
        for state in history.sim.replicas[0].records.values { history.written.formUnion(state.entryDotsForTests) }

        for _ in 0..<steps {
            let index = Int.random(in: 0..<replicas, using: &rng)
            switch Int.random(in: 0..<8, using: &rng) {
            case 0...3:
                let id = ids.randomElement(using: &rng)!
                let before = history.sim.state(id, on: index)
                let edit = randomEdit(&rng, state: before)
                history.sim.replicas[index].wall += UInt64.random(in: 0...3, using: &rng)
                do { try history.sim.edit(id, edit, on: index, wallAdvance: 0) } catch { continue }
                let after = history.sim.state(id, on: index)
                let beforeDots = before.entryDotsForTests
                let afterDots = after.entryDotsForTests
                history.written.formUnion(afterDots.subtracting(beforeDots))
                history.superseded.formUnion(beforeDots.subtracting(afterDots))
            case 4:
                try history.sim.push(index)
                // A replayed push (its answer was lost) changes nothing.
                let after = history.sim.server
                try history.sim.push(index)
                #expect(history.sim.server == after, "seed \(seed): a replayed push changed the server")
            case 5: history.sim.pull(index)
            case 6:
                try forge(&rng, &history.sim, from: index)
                history.forged += 1
            default:
                history.snapshots.append(history.sim.state(ids.randomElement(using: &rng)!, on: index))
            }
        }
        for _ in 0..<2 { for index in 0..<replicas { try history.sim.sync(index) } }
        return history
    }

    @Test(arguments: seeds)
    func everyReplicaConvergesToTheSameState(seed: UInt64) throws {
        let history = try Self.run(seed: seed)
        let dumps = try (0..<history.sim.replicas.count).map { try history.sim.dump($0) }
        #expect(Set(dumps).count == 1, "seed \(seed): dumps differ")
        for replica in history.sim.replicas {
            #expect(replica.records == history.sim.server, "seed \(seed): state differs from the server's")
        }
    }

    @Test(arguments: seeds)
    func noWriteIsLostUnlessALaterWriteSawIt(seed: UInt64) throws {
        let history = try Self.run(seed: seed)
        let surviving = history.sim.server.values.reduce(into: Set<Dot>()) { $0.formUnion($1.entryDotsForTests) }
        let lost = history.written.subtracting(history.superseded).subtracting(surviving)
        #expect(lost.isEmpty, "seed \(seed): lost writes \(lost)")
        #expect(surviving.isSubset(of: history.written), "seed \(seed): an entry nobody wrote")
    }

    @Test(arguments: seeds.prefix(60))
    func joinIsCommutativeAssociativeAndIdempotent(seed: UInt64) throws {
        let history = try Self.run(seed: seed)
        var rng = SeededGenerator(seed: seed &* 31)
        let states = history.snapshots + Array(history.sim.server.values)
        for _ in 0..<30 {
            let pick = { (rng: inout SeededGenerator) -> RecordState? in
                let first = states.randomElement(using: &rng)!
                let same = states.filter { $0.id == first.id }
                return same.randomElement(using: &rng)
            }
            guard let x = pick(&rng) else { continue }
            let same = states.filter { $0.id == x.id }
            let y = same.randomElement(using: &rng)!
            let z = same.randomElement(using: &rng)!
            #expect(x.joined(with: y) == y.joined(with: x), "seed \(seed): not commutative")
            #expect(x.joined(with: y).joined(with: z) == x.joined(with: y.joined(with: z)), "seed \(seed): not associative")
            #expect(x.joined(with: x) == x, "seed \(seed): not idempotent")
            #expect(x.joined(with: y).joined(with: y) == x.joined(with: y), "seed \(seed): a replay changed the state")
        }
    }

    @Test func wireFormRoundTrips() throws {
        let history = try Self.run(seed: 7)
        let encoder = JSONEncoder()
        for state in history.sim.server.values {
            let decoded = try JSONDecoder().decode(RecordState.self, from: try encoder.encode(state))
            #expect(decoded == state)
        }
    }
}

extension RecordState {
    var entryDotsForTests: Set<Dot> {
        Set(
            fields.values.flatMap { $0.map(\.dot) }
                + translations.values.flatMap { $0.values.flatMap { $0.map(\.dot) } }
                + tombstones.map(\.dot))
    }
}
