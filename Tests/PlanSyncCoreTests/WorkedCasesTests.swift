import PlanSyncCore
import PlanSyncTestSupport
import Testing

/// The worked cases of the causality reference, each from the same synced record.
@Suite("Causality worked cases")
struct WorkedCasesTests {
    static let id = "plan/A.1"
    var sim = Simulation(replicas: 3)
    let a = 0
    let b = 1
    let c = 2

    init() throws {
        try sim.create(
            Self.id, collection: "activity", on: 0,
            fields: ["title": "Provide tools", "comment": "start", "focal_points": "OCHA\nUNHCR", "status": "on-track"])
        for index in 0..<3 { try sim.sync(index) }
    }

    mutating func syncAll() throws {
        for _ in 0..<2 { for index in 0..<3 { try sim.sync(index) } }
    }

    func converged() throws -> String {
        let dumps = try (0..<3).map { try sim.dump($0) }
        #expect(Set(dumps).count == 1, "replicas disagree")
        return dumps[0]
    }

    func value(_ field: String, on index: Int = 0) -> FieldValue? {
        sim.state(Self.id, on: index).value(of: field)
    }

    @Test mutating func case1_aWriteReachesAnotherReplica() throws {
        try sim.edit(Self.id, .set(field: "comment", value: "x"), on: a)
        try sim.push(a)
        sim.pull(b)
        let state = sim.state(Self.id, on: b)
        #expect(state.value(of: "comment") == .text("x"))
        #expect(state.fields["comment"]?.count == 1)
    }

    @Test mutating func case2_concurrentWritesAreBothKept() throws {
        try sim.edit(Self.id, .set(field: "comment", value: "x"), on: a)
        try sim.edit(Self.id, .set(field: "comment", value: "y"), on: b)
        try syncAll()
        _ = try converged()
        for index in 0..<3 {
            #expect(Set(sim.state(Self.id, on: index).conflict(of: "comment")) == ["x", "y"])
        }
        #expect(sim.server[Self.id]!.value(of: "comment") == value("comment", on: a))
        #expect(value("comment", on: a) == value("comment", on: b))
    }

    @Test mutating func case3_aWriteThatSawBothCandidatesReplacesThem() throws {
        try sim.edit(Self.id, .set(field: "comment", value: "x"), on: a)
        try sim.edit(Self.id, .set(field: "comment", value: "y"), on: b)
        try syncAll()
        try sim.edit(Self.id, .set(field: "comment", value: "z"), on: c)
        try syncAll()
        _ = try converged()
        #expect(value("comment") == .text("z"))
        #expect(sim.state(Self.id, on: a).conflict(of: "comment").isEmpty)
    }

    @Test mutating func case4_lostUpdateBecomesASibling() throws {
        try sim.edit(Self.id, .set(field: "comment", value: "x"), on: a)
        try sim.edit(Self.id, .set(field: "comment", value: "y"), on: b)
        try sim.push(a)
        try sim.push(b)
        // A has not pulled B's "y": its next write covers only its own "x".
        try sim.edit(Self.id, .set(field: "comment", value: "x2"), on: a)
        try syncAll()
        _ = try converged()
        #expect(Set(sim.state(Self.id, on: c).conflict(of: "comment")) == ["x2", "y"])
    }

    @Test mutating func case5_differentFieldsDoNotConflict() throws {
        try sim.edit(Self.id, .set(field: "comment", value: "x"), on: a)
        try sim.edit(Self.id, .add(field: "focal_points", element: "IOM"), on: b)
        try syncAll()
        _ = try converged()
        #expect(value("comment") == .text("x"))
        #expect(value("focal_points") == .list(["IOM", "OCHA", "UNHCR"]))
        #expect(sim.state(Self.id, on: c).conflictedFields().isEmpty)
    }

    @Test mutating func case6_statusIsLastWriterWinsByHybridClock() throws {
        try sim.edit(Self.id, .set(field: "status", value: "completed"), on: b, wallAdvance: 12)
        try sim.edit(Self.id, .set(field: "status", value: "delayed"), on: a, wallAdvance: 10)
        try syncAll()
        _ = try converged()
        #expect(value("status") == .text("completed"))
        #expect(sim.state(Self.id, on: a).conflictedFields().isEmpty)
    }

    @Test mutating func case7_addWinsOverAConcurrentRemove() throws {
        try sim.edit(Self.id, .remove(field: "focal_points", element: "OCHA"), on: a)
        try sim.edit(Self.id, .add(field: "focal_points", element: "OCHA"), on: b)
        try syncAll()
        _ = try converged()
        #expect(value("focal_points") == .list(["OCHA", "UNHCR"]))
    }

    @Test mutating func removeThatSawTheAddRemoves() throws {
        try sim.edit(Self.id, .remove(field: "focal_points", element: "OCHA"), on: a)
        try syncAll()
        _ = try converged()
        #expect(value("focal_points", on: c) == .list(["UNHCR"]))
    }

    @Test mutating func case8_updateBeatsConcurrentDelete() throws {
        try sim.edit(Self.id, .delete, on: a)
        try sim.edit(Self.id, .set(field: "comment", value: "still needed"), on: b)
        try syncAll()
        _ = try converged()
        let state = sim.state(Self.id, on: c)
        #expect(!state.isDeleted)
        #expect(state.value(of: "comment") == .text("still needed"))
        #expect(state.value(of: "title") == .text("Provide tools"))
    }

    @Test mutating func deleteThatSawEverythingDeletes() throws {
        try sim.edit(Self.id, .delete, on: a)
        try syncAll()
        _ = try converged()
        #expect(sim.state(Self.id, on: b).isDeleted)
        #expect(sim.state(Self.id, on: b).value(of: "title") == .text("Provide tools"), "fields are kept")
    }

    @Test mutating func case9_aReplayedPushChangesNothing() throws {
        try sim.edit(Self.id, .set(field: "comment", value: "x"), on: a)
        try sim.push(a)
        let once = sim.server
        try sim.push(a)
        #expect(sim.server == once)
        #expect(sim.server[Self.id]!.fields["comment"]!.count == 1)
    }

    @Test mutating func case10_anOlderCopyChangesNothing() throws {
        let older = sim.state(Self.id, on: a)
        try sim.edit(Self.id, .set(field: "comment", value: "newer"), on: b)
        try sim.push(b)
        let before = sim.server[Self.id]!
        #expect(before.joined(with: older) == before)
    }

    @Test mutating func case11_translationGoesStaleAndComesBack() throws {
        try sim.edit(Self.id, .set(field: "comment", value: "x"), on: a)
        try syncAll()
        try sim.edit(Self.id, .translate(field: "comment", language: "fr", text: "x-fr", status: .translated), on: b)
        try syncAll()
        #expect(sim.state(Self.id, on: a).translation(of: "comment", language: "fr")?.stale == false)
        try sim.edit(Self.id, .set(field: "comment", value: "x'"), on: a)
        try syncAll()
        let stale = sim.state(Self.id, on: c).translation(of: "comment", language: "fr")
        #expect(stale?.stale == true)
        #expect(stale?.text == "x-fr", "a stale translation is kept")
        try sim.edit(Self.id, .set(field: "comment", value: "x"), on: a)
        try syncAll()
        _ = try converged()
        #expect(sim.state(Self.id, on: b).translation(of: "comment", language: "fr")?.stale == false)
    }

    @Test mutating func case12_translatorsAndEditorsDoNotCollide() throws {
        try sim.edit(Self.id, .translate(field: "comment", language: "fr", text: "début", status: .draft), on: a)
        try sim.edit(Self.id, .translate(field: "comment", language: "ar", text: "بداية", status: .draft), on: b)
        try sim.edit(Self.id, .set(field: "comment", value: "changed"), on: c)
        try syncAll()
        _ = try converged()
        let state = sim.state(Self.id, on: a)
        #expect(state.conflictedFields().isEmpty)
        #expect(state.value(of: "comment") == .text("changed"))
        #expect(state.translation(of: "comment", language: "fr")?.text == "début")
        #expect(state.translation(of: "comment", language: "fr")?.stale == true)
        #expect(state.translation(of: "comment", language: "ar")?.stale == true)
    }

    @Test mutating func case13_twoTranslatorsOfOneLanguageKeepBoth() throws {
        try sim.edit(Self.id, .translate(field: "comment", language: "fr", text: "un", status: .draft), on: a)
        try sim.edit(Self.id, .translate(field: "comment", language: "fr", text: "deux", status: .draft), on: b)
        try syncAll()
        _ = try converged()
        let view = sim.state(Self.id, on: c).translation(of: "comment", language: "fr")
        #expect(Set(view?.candidates ?? []) == ["un", "deux"])
    }

    @Test mutating func resolveSupersedesEveryCandidateAndRecordsWho() throws {
        try sim.edit(Self.id, .set(field: "comment", value: "x"), on: a)
        try sim.edit(Self.id, .set(field: "comment", value: "y"), on: b)
        try syncAll()
        try sim.edit(Self.id, .resolve(field: "comment", value: "x and y"), on: c)
        try syncAll()
        _ = try converged()
        let state = sim.state(Self.id, on: a)
        #expect(state.conflict(of: "comment").isEmpty)
        #expect(state.value(of: "comment") == .text("x and y"))
        let resolution = try #require(state.resolution(of: "comment"))
        #expect(resolution.by == "user-C")
        #expect(Set(resolution.superseded) == ["x", "y"])
    }
}

@Suite("Edits are validated against the schema")
struct EditValidationTests {
    static let refusals: [(Edit, String)] = [
        (Edit.set(field: "nope", value: "x"), "unknown field 'nope'"),
        (.set(field: "status", value: "finished"), "must be one of"),
        (.set(field: "due", value: "2017-02-30"), "must be a date"),
        (.translate(field: "status", language: "fr", text: "x", status: .draft), "not translatable"),
        (.translate(field: "comment", language: "de", text: "x", status: .draft), "unknown language 'de'"),
        (.resolve(field: "focal_points", value: "x"), "is a list"),
        (.remove(field: "focal_points", element: "WHO"), "'WHO' is not in focal_points"),
    ]

    @Test(arguments: refusals)
    func refused(edit: Edit, message: String) throws {
        var state = RecordState(id: "plan/A.1", collection: "activity")
        let writer = Writer(time: HybridTimestamp(wall: 1, logical: 0, replica: ReplicaID("a")), author: "t")
        let before = state
        #expect {
            try state.apply(edit, schema: .planSync, by: writer)
        } throws: { error in
            "\(error)".contains(message)
        }
        #expect(state == before, "a refused edit changes nothing")
    }

    @Test(arguments: ["", "a//b", "/a", "a/", "a b", "plan/A.1?x", String(repeating: "x", count: 201)])
    func invalidIDs(id: String) {
        #expect(throws: RecordError.self) { try RecordID.validate(id) }
    }

    @Test(arguments: ["iasc-protection-policy", "iasc-protection-policy/A.1", "iasc-aap-psea-workplan/3.4/2"])
    func validIDs(id: String) throws {
        try RecordID.validate(id)
    }
}
