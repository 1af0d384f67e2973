import Foundation
import Logging
import PlanSyncCore
import PlanSyncServer
import PlanSyncTestSupport
import PlanSyncWorkflows
import Testing

/// The server's own desk, where the server's pages write for a signed-in person: over the real store of a
/// running server (opened again in this process), with real replicas syncing through that server.
@Suite("The server's own desk", .serialized)
struct ServerDeskTests {
    static let unit = "iasc-protection-policy/A.1/1"
    static let activity = "iasc-protection-policy/A.2"
    static let amina = Principal(name: "amina", role: .admin)
    static let kabul = Principal(name: "kabul", role: .office, office: "AFG")

    @Test(arguments: ServerStore.available)
    func anAdminsDeskWritesReachAReplicaWithTheDesksIdAndThePersonsName(store: ServerStore) async throws {
        let cluster = try Cluster(store: store)
        let field = try cluster.replica("field")
        try cluster.sync(field)
        let desk = ServerDesk(store: try await cluster.openStore(), logger: .quiet)
        let central = try await desk.workspace(for: Self.amina)
        try await central.save([(Self.unit, .set(field: "comment", value: "Written at the desk"))])
        try await ReportWrites.setApproval("approved", office: "AFG", period: "2026-Q4", in: central)
        try cluster.sync(field)

        let deskID = try await desk.id().rawValue
        let comment = HistoryTests.writes(
            "comment", in: try json(cluster.plansync(field, "history", Self.unit, "--json").stdout))
        #expect(comment.first?["value"] as? String == "Written at the desk", "\(comment)")
        #expect(comment.first?["replica"] as? String == deskID, "written by the desk's own replica id: \(comment)")
        let approval = try json(cluster.plansync(field, "history", "approvals/AFG/2026-Q4", "--json").stdout)
        #expect(HistoryTests.writes("by", in: approval).first?["value"] as? String == "amina", "\(approval)")
        // The desk is no token's replica, and no feed skips its writes as the pusher's own.
        let bound = try await desk.store.syncActivity().flatMap(\.replicas).map(\.id.rawValue)
        #expect(!bound.contains(deskID), "\(bound)")
        let token = try cluster.server.token(name: "mallory", role: "office", office: "AFG")
        let posing = try await RawHTTP(base: cluster.server.url).send(
            .GET, "/v1/pull?since=0&limit=1&replica=\(deskID)", token: token)
        #expect(posing.status == 403, "no replica syncs under the desk's id: \(posing)")
        let other = try cluster.replica("other")
        try cluster.sync(other)
        #expect(try cluster.plansync(other, "show", Self.unit).stdout.contains("Written at the desk"))
    }

    @Test(arguments: ServerStore.available)
    func aViewersDeskWriteIsRefusedInOneLineAndChangesNothing(store: ServerStore) async throws {
        let cluster = try Cluster(store: store)
        let desk = ServerDesk(store: try await cluster.openStore(), logger: .quiet)
        let viewer = try await desk.workspace(for: Principal(name: "vera", role: .viewer))
        let before = try await Self.latest(desk.store)
        let stored = try await viewer.record(Self.unit)
        #expect(stored != nil, "a viewer reads everything")

        let edit = await #expect(throws: WorkflowError.self) {
            try await viewer.save([(Self.unit, .set(field: "comment", value: "From a viewer"))])
        }
        #expect(edit?.description == "refused: \(Self.unit): a viewer token writes nothing; nothing was changed")
        let report = await #expect(throws: WorkflowError.self) {
            try await ReportWrites.write(
                ReportDraft(activity: Self.activity, office: "AFG", period: "2026-Q4", status: "on-track"), in: viewer)
        }
        #expect(report?.description.contains("a viewer token writes nothing") == true, "\(String(describing: report))")
        for error in [edit, report] { #expect(error?.description.contains("\n") == false) }
        #expect(try await Self.latest(desk.store) == before, "nothing was stored")
        #expect(try await viewer.record(Self.unit) == stored)
    }

    @Test(arguments: ServerStore.available)
    func anOfficeWritesOnlyItsOwnAndItsEditOfAnApprovedReportIsHeld(store: ServerStore) async throws {
        let cluster = try Cluster(store: store)
        let desk = ServerDesk(store: try await cluster.openStore(), logger: .quiet)
        let central = try await desk.workspace(for: Self.amina)
        let kabul = try await desk.workspace(for: Self.kabul)
        let syria = ReportDraft(activity: Self.activity, office: "SYR", period: "2026-Q4", status: "on-track")
        try await ReportWrites.write(syria, in: central)
        #expect(try await central.record(syria.id) != nil)
        #expect(try await kabul.record(syria.id) == nil, "another office's report is outside Kabul's scope")

        let before = try await Self.latest(desk.store)
        let theirs = await #expect(throws: WorkflowError.self) {
            try await kabul.save([(syria.id, .set(field: "status", value: "delayed"))])
        }
        #expect(theirs?.description.contains("no record '\(syria.id)'") == true, "\(String(describing: theirs))")
        var forSyria = syria
        forSyria.period = "2026-Q3"
        let created = await #expect(throws: WorkflowError.self) { try await ReportWrites.write(forSyria, in: kabul) }
        #expect(
            created?.description.contains("belongs to office SYR") == true, "\(String(describing: created))")
        let comment = await #expect(throws: WorkflowError.self) {
            try await kabul.save([(Self.activity, .set(field: "comment", value: "From Kabul"))])
        }
        #expect(
            comment?.description.contains("an office token writes only progress fields") == true,
            "\(String(describing: comment))")
        #expect(try await Self.latest(desk.store) == before, "nothing was stored")

        // Its own report, written, approved by the central team, then edited: the edit is held, not applied.
        let draft = ReportDraft(
            activity: Self.activity, office: "AFG", period: "2026-Q4", status: "on-track", narrative: "Two sessions")
        try await ReportWrites.write(draft, in: kabul)
        try await ReportWrites.setApproval("approved", office: "AFG", period: "2026-Q4", in: central)
        let written = try await desk.write(
            as: Self.kabul, editing: [(draft.id, .set(field: "status", value: "completed"))])
        #expect(written.held == [draft.id])
        #expect(try await central.record(draft.id)?.value(of: "status")?.text == "on-track")
        let held = try await PendingHeldEdit.pending(of: draft.id, in: central)
        #expect(held.count == 1)
        #expect(held.first?.proposedBy == "kabul")
        #expect(held.first?.changes.map(\.field) == ["status"], "\(held)")
        let decisions = try await OpenDecision.all(in: central)
        #expect(decisions.contains { $0.held == held.first?.id }, "\(decisions)")
        #expect(try await kabul.record(held.first?.id ?? "") != nil, "the office sees its held edit")
        // A new report for the approved period is held too, not created.
        let late = ReportDraft(activity: Self.unit, office: "AFG", period: "2026-Q4", status: "delayed")
        try await ReportWrites.write(late, in: kabul)
        #expect(try await central.record(late.id) == nil)
        #expect(try await PendingHeldEdit.pending(of: late.id, in: central).count == 1)
    }

    @Test(arguments: ServerStore.available)
    func aConflictResolvedAtTheDeskReachesBothReplicas(store: ServerStore) async throws {
        let cluster = try Cluster(store: store)
        let (first, second) = try cluster.offlineConflict(
            on: Self.unit, field: "comment", values: ("From the first", "From the second"))

        let desk = ServerDesk(store: try await cluster.openStore(), logger: .quiet)
        let central = try await desk.workspace(for: Self.amina)
        let decision = try await OpenDecision.all(in: central).first { $0.id == Self.unit && $0.field == "comment" }
        #expect(Set(decision?.candidates ?? []) == ["From the first", "From the second"])
        try await central.save([(Self.unit, .resolve(field: "comment", value: "Agreed at the desk"))])
        #expect(try await OpenDecision.all(in: central).contains { $0.id == Self.unit } == false)

        for replica in [first, second] { try cluster.sync(replica) }
        for replica in [first, second] {
            let shown = try cluster.plansync(replica, "show", Self.unit).stdout
            #expect(shown.contains("Agreed at the desk"), "\(shown)")
            let conflicts = try json(cluster.plansync(replica, "conflicts", "--json").stdout) as? [[String: Any]]
            #expect(
                conflicts?.contains { $0["id"] as? String == Self.unit } == false, "\(String(describing: conflicts))")
            let history = try cluster.plansync(replica, "history", Self.unit).stdout
            #expect(history.contains("resolved by amina on 20"), "\(history)")
        }
        #expect(try cluster.dump(first) == cluster.dump(second))
    }

    @Test(arguments: ServerStore.available)
    func theDesksIdAndClockSurviveARestartAndNeverGoBack(store: ServerStore) async throws {
        let cluster = try Cluster(store: store)
        var before: ServerDesk? = ServerDesk(store: try await cluster.openStore(), logger: .quiet)
        let id = try await before!.id()
        try await before!.write(as: Self.amina, editing: [(Self.unit, .set(field: "comment", value: "Before"))])
        let written = try #require(try await Self.deskTime(of: "comment", by: id, in: before!))
        before = nil

        // The store opened again, as by a restarted server.
        let after = ServerDesk(store: try await cluster.openStore(), logger: .quiet)
        #expect(try await after.id() == id)
        let kept = try #require(try await after.store.deskIdentity().clock)
        #expect((kept.wall, kept.logical) >= (written.wall, written.logical), "the clock was kept with the data")
        // The server's clock set back a minute: the desk's next timestamp is still later.
        try await after.write(
            as: Self.amina, editing: [(Self.unit, .set(field: "comment", value: "After"))], now: written.wall - 60_000)
        let rewritten = try #require(try await Self.deskTime(of: "comment", by: id, in: after))
        #expect(rewritten > written)
        #expect(try await after.workspace(for: Self.amina).record(Self.unit)?.value(of: "comment")?.text == "After")
    }

    @Test(.enabled(if: TestDatabase.enabled, Comment(rawValue: TestDatabase.skipReason)))
    func twoDesksOverOneDatabaseWritingOneRecordAtOnceLoseNoWrite() async throws {
        let cluster = try Cluster(store: .postgres)
        let desks = [
            ServerDesk(store: try await cluster.openStore(), logger: .quiet),
            ServerDesk(store: try await cluster.openStore(), logger: .quiet),
        ]
        #expect(try await desks[0].id() == desks[1].id(), "one desk for every instance")
        let rounds = 8
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, desk) in desks.enumerated() {
                group.addTask {
                    let person = Principal(name: "person\(index)", role: .admin)
                    for round in 1...rounds {
                        try await desk.write(
                            as: person,
                            editing: [
                                (Self.unit, .add(field: "organisations", element: "org-\(index)-\(round)")),
                                (Self.unit, .set(field: "progress", value: "desk \(index), round \(round)")),
                            ])
                    }
                }
            }
            try await group.waitForAll()
        }
        let expected = Set((0..<2).flatMap { index in (1...rounds).map { "org-\(index)-\($0)" } })
        for desk in desks {
            let record = try await desk.workspace(for: Self.amina).record(Self.unit)
            let elements = Set(record?.fields["organisations"]?.map(\.value) ?? [])
            #expect(elements.isSuperset(of: expected), "lost: \(expected.subtracting(elements).sorted())")
        }
        // A real replica pulls every one of them.
        let field = try cluster.replica("field")
        try cluster.sync(field)
        let shown = try cluster.plansync(field, "show", Self.unit).stdout
        for element in expected { #expect(shown.contains(element), "\(element) missing: \(shown)") }
    }

    // MARK: - Helpers

    /// The latest change sequence of the store.
    static func latest(_ store: any SyncStore) async throws -> UInt64 {
        let json = try await store.pull(
            since: 0, limit: 1, for: amina, replica: nil, deltas: false, extra: ""
        ).json
        return try json.withUnsafeBufferPointer { try RecordJSON.decodePull($0) }.latest
    }

    /// The timestamp of the desk's entry in `field` of the unit, as the desk reads it.
    static func deskTime(of field: String, by desk: ReplicaID, in serverDesk: ServerDesk) async throws
        -> HybridTimestamp?
    {
        let record = try await serverDesk.workspace(for: amina).record(unit)
        return record?.fields[field]?.filter { $0.dot.replica == desk }.map(\.time).max()
    }
}

extension Cluster {
    /// The running server's store, opened again in this process: its data folder, or its database.
    func openStore() async throws -> any SyncStore {
        if let database { return try await PostgresSyncStore(url: DatabaseURL(database.url)) }
        return try SQLiteSyncStore(directory: directory.file("data"))
    }
}

extension Logger {
    /// A logger that writes nothing.
    static let quiet = Logger(label: "plansync-tests", factory: { _ in SwiftLogNoOpLogHandler() })
}
