import PlanSyncCore
import PlanSyncTestSupport
import Testing

@testable import PlanSyncServer

/// The server remembers the deltas it put together lately (`DeltaMemo`): what it answers is always the delta the
/// pieces given make, whether remembered or not, through edits that change a store's piece or the context, and
/// past its capacity.
@Suite("Deltas remembered")
struct DeltaMemoTests {
    /// A record edited by three replicas, and the stores a pull might carry of it.
    static func record(step: Int, later: Bool = false) throws -> RecordState {
        var sim = Simulation(replicas: 3)
        try sim.create("plan/A.1/1", collection: "related", on: 0, fields: ["title": "Consult women's groups"])
        sim.deliver("plan/A.1/1", from: 0, to: 1)
        sim.deliver("plan/A.1/1", from: 0, to: 2)
        try sim.edit("plan/A.1/1", .set(field: "comment", value: "Round \(step): dates agreed"), on: 1)
        try sim.edit("plan/A.1/1", .set(field: "status", value: step.isMultiple(of: 2) ? "on-track" : "delayed"), on: 2)
        try sim.edit(
            "plan/A.1/1", .translate(field: "comment", language: "fr", text: "Tour \(step)", status: .draft), on: 0)
        // One more write by the replica that set the status: the context moves, the status's piece does not.
        if later { try sim.edit("plan/A.1/1", .set(field: "comment", value: "Round \(step): moved"), on: 2) }
        for source in [0, 2] { sim.deliver("plan/A.1/1", from: source, to: 1) }
        return sim.replicas[1].records["plan/A.1/1"]!
    }

    static let carried: [WriteTarget] = [
        .field("comment"), .field("status"), .translation(field: "comment", language: "fr"),
    ]

    static func pieces(of state: RecordState, _ stores: [WriteTarget]) -> [(target: WriteTarget, json: String)] {
        stores.map { ($0, RecordJSON.store($0, of: state)) }
    }

    @Test func aRememberedDeltaIsTheDeltaItsPiecesMake() throws {
        let memo = DeltaMemo(capacity: 4, bytes: 1 << 20, shards: 1)
        var asked = 0
        for round in 0..<3 {
            for step in 0..<6 {
                let state = try Self.record(step: step)
                for count in 1...Self.carried.count {
                    let pieces = Self.pieces(of: state, Array(Self.carried.prefix(count)))
                    let context = RecordJSON.context(of: state)
                    let expected = try RecordJSON.delta(
                        id: state.id, collection: state.collection, context: context, stores: pieces)
                    let answered = try memo.delta(
                        id: state.id, collection: state.collection, context: context, stores: pieces)
                    #expect(answered == expected, "round \(round), step \(step), \(count) stores")
                    asked += 1
                }
            }
        }
        // 18 different deltas, asked three times each, kept within two generations of four.
        #expect(asked == 54)
        #expect(memo.held.count <= 8)
    }

    @Test func aChangedPieceOrContextIsNotAnsweredFromMemory() throws {
        let memo = DeltaMemo(capacity: 64, bytes: 1 << 20)
        let before = try Self.record(step: 1)
        let otherStatus = try Self.record(step: 2)
        let later = try Self.record(step: 1, later: true)
        let stores = [WriteTarget.field("status")]
        #expect(RecordJSON.store(stores[0], of: later) == RecordJSON.store(stores[0], of: before))
        #expect(RecordJSON.context(of: later) != RecordJSON.context(of: before))
        let old = try memo.delta(
            id: before.id, collection: before.collection, context: RecordJSON.context(of: before),
            stores: Self.pieces(of: before, stores))
        // The same context with another piece, and the same piece with another context.
        for (context, pieces) in [
            (RecordJSON.context(of: before), Self.pieces(of: otherStatus, stores)),
            (RecordJSON.context(of: later), Self.pieces(of: later, stores)),
        ] {
            let answered = try memo.delta(
                id: before.id, collection: before.collection, context: context, stores: pieces)
            #expect(answered != old)
            #expect(
                answered
                    == (try RecordJSON.delta(
                        id: before.id, collection: before.collection, context: context, stores: pieces)))
        }
    }

    @Test func itHoldsNoMoreBytesThanItIsGivenAndKeepsNoDeltaLargerThanAGeneration() throws {
        let state = try Self.record(step: 3)
        let context = RecordJSON.context(of: state)
        func ask(_ memo: DeltaMemo, _ count: Int) throws -> [UInt8] {
            let pieces = Self.pieces(of: state, Array(Self.carried.prefix(count)))
            let answered = try memo.delta(id: state.id, collection: state.collection, context: context, stores: pieces)
            #expect(
                answered
                    == (try RecordJSON.delta(
                        id: state.id, collection: state.collection, context: context, stores: pieces)))
            return answered
        }
        // Room for about one delta in each generation: the bytes stay within two generations' worth.
        let small = DeltaMemo(capacity: 100, bytes: 1_500, shards: 1)
        for _ in 0..<4 { for count in 1...Self.carried.count { _ = try ask(small, count) } }
        #expect(small.held.count >= 1)
        #expect(small.held.bytes <= 3_000)
        // No generation holds even one: answered every time, and nothing kept.
        let tiny = DeltaMemo(capacity: 100, bytes: 16, shards: 1)
        for _ in 0..<3 { _ = try ask(tiny, Self.carried.count) }
        #expect(tiny.held.count == 0 && tiny.held.bytes == 0)
    }
}
