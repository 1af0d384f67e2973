import Foundation
import PlanSyncTestSupport
import Testing

/// Plans as wholes with the real binaries: a plan id is checked before anything is read, and deleting a plan,
/// section or key activity deletes what it contains — yet a concurrent edit of one child brings that child back.
@Suite("Plans as wholes", .serialized)
struct PlanDeleteTests {
    static let plan = "cash-coordination"

    /// Imports the example spreadsheet (2 sections, 4 key activities, 5 related activities) into `replica`.
    static func importPlan(into replica: String, in cluster: Cluster) throws {
        try expectSuccess(
            cluster.plansync(
                replica, "plan", "import", "--csv", PlanImportTests.example, "--plan", plan, "--title", "Cash"))
    }

    /// The ids `list --deleted --json` shows for the plan, with whether each is deleted.
    static func states(in replica: String, in cluster: Cluster) throws -> [String: Bool] {
        let result = try cluster.plansync(replica, "list", "--plan", plan, "--deleted", "--json")
        try expectSuccess(result)
        let entries = try json(result.stdout) as! [[String: Any]]
        return Dictionary(uniqueKeysWithValues: entries.map { ($0["id"] as! String, $0["deleted"] as! Bool) })
    }

    @Test func aPlanIDOutsideTheDocumentedRuleIsRefusedInOneLine() throws {
        let cluster = try Cluster()
        let central = try cluster.replica("central")
        try cluster.sync(central)
        let before = try cluster.dump(central)
        for id in ["Cash_X", "cash x", "cash/x", String(repeating: "a", count: 65)] {
            let result = try cluster.plansync(
                central, "plan", "import", "--csv", PlanImportTests.example, "--plan", id, "--title", "Cash")
            #expect(result.status == 65, "\(id): \(result)")
            #expect(result.stderr.hasPrefix("plansync: plan id '"), "\(result.stderr)")
            #expect(result.stderr.contains("lowercase letters, digits and dashes"))
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        }
        #expect(try cluster.dump(central) == before)
    }

    @Test func deletingASectionOrAPlanDeletesWhatItContainsButNotItsReports() throws {
        let cluster = try Cluster()
        let central = try cluster.replica("central")
        try cluster.sync(central)
        try Self.importPlan(into: central, in: cluster)
        let report = "\(Self.plan)/A.1/report/AFG/2017-Q1"
        try expectSuccess(
            cluster.plansync(
                central, "report", "add", "--activity", "\(Self.plan)/A.1", "--office", "AFG", "--period", "2017-Q1",
                "--status", "on-track"))

        let dry = try cluster.plansync(central, "delete", "\(Self.plan)/B", "--dry-run")
        try expectSuccess(dry)
        #expect(dry.stdout == "would delete \(Self.plan)/B and its 4 sections and activities\n", "\(dry)")
        #expect(try Self.states(in: central, in: cluster).values.allSatisfy { !$0 }, "a dry run deleted something")

        let section = try cluster.plansync(central, "delete", "\(Self.plan)/B")
        try expectSuccess(section)
        #expect(section.stdout.contains("deleted \(Self.plan)/B and its 4 sections and activities"), "\(section)")
        let plan = try cluster.plansync(central, "delete", Self.plan)
        try expectSuccess(plan)
        #expect(
            plan.stdout == "deleted \(Self.plan) and its 6 sections and activities (queued for the next sync)\n",
            "\(plan)")

        let states = try Self.states(in: central, in: cluster)
        #expect(states.count == 13)
        #expect(states.filter { $0.key != report }.values.allSatisfy { $0 }, "\(states)")
        #expect(states[report] == false, "a plan delete touched an office's report")
        let live = try cluster.plansync(central, "list", "--plan", Self.plan).stdout
        #expect(live == "\(report)\treport\t\(Self.plan)/A.1\n", "\(live)")
    }

    @Test(arguments: ServerStore.available)
    func aChildEditedConcurrentlyOnAnotherReplicaOutlivesThePlanDelete(store: ServerStore) throws {
        let cluster = try Cluster(store: store)
        let central = try cluster.replica("central")
        let other = try cluster.replica("other")
        try cluster.sync(central)
        try Self.importPlan(into: central, in: cluster)
        for replica in [central, other] { try cluster.sync(replica) }

        try expectSuccess(cluster.plansync(central, "delete", Self.plan))
        try expectSuccess(cluster.plansync(other, "set", "\(Self.plan)/A.2/1", "comment", "Map published in May"))
        for replica in [central, other, central] { try cluster.sync(replica) }

        for replica in [central, other] {
            let states = try Self.states(in: replica, in: cluster)
            #expect(states.count == 12)
            #expect(states["\(Self.plan)/A.2/1"] == false, "the concurrent edit was lost")
            #expect(states.filter { $0.key != "\(Self.plan)/A.2/1" }.values.allSatisfy { $0 }, "\(states)")
        }
        #expect(try cluster.dump(central) == cluster.dump(other))
        let shown = try cluster.plansync(other, "show", "\(Self.plan)/A.2/1").stdout
        #expect(shown.contains("Map published in May"))
    }
}
