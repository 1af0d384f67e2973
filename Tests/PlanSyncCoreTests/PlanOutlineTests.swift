import PlanSyncCore
import Testing

/// What a plan, section or key activity contains — the records deleting it deletes.
@Suite("Plan outline")
struct PlanOutlineTests {
    static func record(_ id: String, _ collection: String, _ values: [String: String] = [:]) throws -> RecordState {
        var clock = HybridLogicalClock(replica: ReplicaID("r1"))
        let new = NewRecord(id: id, collection: collection, values: values.map { NewRecord.Value($0.key, $0.value) })
        return try new.state(schema: .planSync) { Writer(time: try clock.tick(now: 1_000), author: "a") }
    }

    static func records() throws -> [RecordState] {
        [
            try record("p", "plan", ["title": "P"]),
            try record("p/A", "section", ["plan": "p", "title": "A"]),
            try record("p/B", "section", ["plan": "p", "title": "B"]),
            try record("p/A.1", "activity", ["plan": "p", "section": "p/A", "title": "A.1"]),
            try record("p/B.1", "activity", ["plan": "p", "section": "p/B", "title": "B.1"]),
            try record("p/A.1/1", "related", ["plan": "p", "activity": "p/A.1", "title": "A.1/1"]),
            try record("p/A.1/report/AFG/2017", "report", ["activity": "p/A.1", "office": "AFG", "period": "2017"]),
            try record("q/A", "section", ["plan": "q", "title": "other plan"]),
        ]
    }

    @Test(arguments: [
        ("p", ["p/A", "p/B", "p/A.1", "p/B.1", "p/A.1/1"]),
        ("p/A", ["p/A.1", "p/A.1/1"]),
        ("p/A.1", ["p/A.1/1"]),
        ("p/A.1/1", []),
        ("p/A.1/report/AFG/2017", []),
    ])
    func contentsAreFoundThroughTheReferenceFieldsAndReportsStay(root: String, expected: [String]) throws {
        let records = try Self.records()
        let rootRecord = try #require(records.first { $0.id == root })
        #expect(PlanOutline.contents(of: rootRecord, among: records).map(\.id) == expected)
    }

    @Test func deletedContentsAreLeftOut() throws {
        var records = try Self.records()
        let index = try #require(records.firstIndex { $0.id == "p/B.1" })
        let writer = Writer(time: HybridTimestamp(wall: 2_000, logical: 0, replica: ReplicaID("r1")), author: "a")
        try records[index].apply(.delete, schema: .planSync, by: writer)
        #expect(PlanOutline.contents(of: records[0], among: records).map(\.id) == ["p/A", "p/B", "p/A.1", "p/A.1/1"])
    }

    @Test(arguments: ["cash-coordination-2026", "a", "2026", String(repeating: "a", count: 64)])
    func documentedPlanIDsPass(id: String) {
        #expect(PlanID.problem(id) == nil)
    }

    @Test(arguments: ["Cash_X", "cash x", "cash/x", "-cash", "", "café", String(repeating: "a", count: 65)])
    func otherPlanIDsAreRefusedInOneLine(id: String) throws {
        let problem = try #require(PlanID.problem(id))
        #expect(!problem.contains("\n"))
    }
}
