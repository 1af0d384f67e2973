import Foundation
import PlanSyncTestSupport
import Testing

/// `plansync plan import` with the real binary: a spreadsheet becomes a plan every replica receives; a bad
/// spreadsheet imports nothing.
@Suite("Plan import from a spreadsheet", .serialized)
struct PlanImportTests {
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/examples/plan-example.csv").path

    @Test func anImportedPlanReachesEveryReplica() throws {
        let cluster = try Cluster()
        let central = try cluster.replica("central")
        let office = try cluster.replica("office", role: "office", office: "AFG")
        for replica in [central, office] { try cluster.sync(replica) }
        let imported = try cluster.plansync(
            central, "plan", "import", "--csv", Self.example, "--plan", "cash-coordination", "--title", "Cash coordination")
        try expectSuccess(imported)
        #expect(imported.stdout.contains("imported cash-coordination: 2 sections"))
        try cluster.sync(central)
        try cluster.sync(office)
        let list = try cluster.plansync(office, "list").stdout
        #expect(list.contains("cash-coordination/A.1\tactivity\tSet up a cash working group"))
        #expect(list.contains("cash-coordination\tplan\tCash coordination"))
        let again = try cluster.plansync(
            central, "plan", "import", "--csv", Self.example, "--plan", "cash-coordination", "--title", "Cash coordination")
        #expect(again.status != 0 && again.stderr.contains("exists already"), "\(again)")
    }

    @Test func badRowsAreReportedWithTheirLinesAndNothingIsImported() throws {
        let cluster = try Cluster()
        let central = try cluster.replica("central")
        try cluster.sync(central)
        let before = try cluster.dump(central)
        let bad = cluster.directory.file("bad.csv")
        try """
            section,code,activity,related activity,priority
            A: Coordination,A.1,Set up a group,Agree terms,Yes
            ,,Missing code,Row without a code,No
            ,A.2,Another,Something,Maybe
            """.write(toFile: bad, atomically: true, encoding: .utf8)
        let result = try cluster.plansync(central, "plan", "import", "--csv", bad, "--plan", "bad-plan", "--title", "Bad")
        #expect(result.status != 0)
        #expect(result.stderr.contains("line 3"), "\(result.stderr)")
        #expect(result.stderr.contains("line 4"), "\(result.stderr)")
        #expect(result.stderr.contains("nothing was imported"))
        #expect(try cluster.dump(central) == before)
        let office = try cluster.replica("office", role: "office", office: "AFG")
        let refused = try cluster.plansync(
            office, "plan", "import", "--csv", Self.example, "--plan", "office-plan", "--title", "Nope")
        #expect(refused.status != 0 && refused.stderr.contains("refused"), "\(refused)")
    }
}
