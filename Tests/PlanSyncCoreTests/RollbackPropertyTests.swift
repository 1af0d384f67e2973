import PlanSyncCore
import PlanSyncTestSupport
import Testing

/// CAUSALITY case 19 over random histories: the server goes back to an older copy of its state mid-history;
/// every replica then pushes in recovering mode (the server believes only the pusher's own writes and what it
/// holds of others). Once all have synced three times, every replica equals the server and no write is lost
/// unless a later write saw it — the same laws as without the rollback.
@Suite("Rollback properties")
struct RollbackPropertyTests {
    static let ids = ConvergencePropertyTests.ids

    static func run(seed: UInt64, replicas: Int = 3, steps: Int = 50) throws -> ConvergencePropertyTests.History {
        var rng = SeededGenerator(seed: seed)
        var history = ConvergencePropertyTests.History(sim: Simulation(replicas: replicas))
        for id in ids {
            try history.sim.create(id, collection: "activity", on: 0, fields: ["title": "t", "comment": "c0"])
        }
        try history.sim.sync(0)
        for index in 1..<replicas { history.sim.pull(index) }
        for state in history.sim.replicas[0].records.values { history.written.formUnion(state.entryDotsForTests) }
        let rollbackAt = Int.random(in: steps / 4..<steps, using: &rng)
        var snapshot = history.sim.server
        var recovering = false
        for step in 0..<steps {
            if step == rollbackAt / 2 { snapshot = history.sim.server }
            if step == rollbackAt {
                history.sim.server = snapshot
                history.sim.origin = [:]
                recovering = true
            }
            let index = Int.random(in: 0..<replicas, using: &rng)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0...2:
                let id = ids.randomElement(using: &rng)!
                let before = history.sim.state(id, on: index)
                let edit = ConvergencePropertyTests.randomEdit(&rng, state: before)
                history.sim.replicas[index].wall += UInt64.random(in: 0...3, using: &rng)
                do { try history.sim.edit(id, edit, on: index, wallAdvance: 0) } catch { continue }
                let after = history.sim.state(id, on: index)
                history.written.formUnion(after.entryDotsForTests.subtracting(before.entryDotsForTests))
                history.superseded.formUnion(before.entryDotsForTests.subtracting(after.entryDotsForTests))
            case 3, 4:
                try history.sim.push(index, recover: recovering)
            default:
                history.sim.pull(index)
            }
        }
        // The first round brings back every write the server lost (each from its own replica); a record whose
        // replica had superseded a lost write of another is believed whole only once that write is back, so
        // the second round settles it and the third carries the settlement to replicas that synced before.
        for _ in 0..<3 {
            for index in 0..<replicas {
                try history.sim.push(index, recover: true)
                history.sim.pull(index)
            }
        }
        return history
    }

    @Test(arguments: Array(UInt64(1)...300))
    func everyReplicaAgreesAndNoWriteIsLostAfterARollback(seed: UInt64) throws {
        let history = try Self.run(seed: seed)
        for replica in history.sim.replicas {
            #expect(replica.records == history.sim.server, "seed \(seed): replica \(replica.id) differs from the server")
        }
        let surviving = history.sim.server.values.reduce(into: Set<Dot>()) { $0.formUnion($1.entryDotsForTests) }
        let lost = history.written.subtracting(history.superseded).subtracting(surviving)
        #expect(lost.isEmpty, "seed \(seed): lost writes \(lost)")
        // Nothing is left believed in part: a normal push of every replica's state is accepted.
        var sim = history.sim
        for index in 0..<sim.replicas.count { #expect(throws: Never.self) { try sim.push(index) } }
    }
}
