import Foundation
import PlanSyncTestSupport
import Testing

/// Held edits of approved reports, as the central team meets them: one entry per held edit listing only what
/// it changes, decided by the report's id — or by the held edit's when several wait.
@Suite("Held edits", .serialized)
struct HeldEditTests {
    static let activity = "iasc-protection-policy/A.2"
    static let report = "\(activity)/report/AFG/2017-Q3"

    @Test(arguments: ServerStore.available)
    func twoHeldEditsOfOneReportAreShownAsChangesAndDecidedOneByOne(store: ServerStore) throws {
        let cluster = try Cluster(store: store)
        let central = try cluster.replica("central")
        let laptop = try cluster.replica("kabul-laptop", role: "office", office: "AFG")
        let phone = try cluster.replica("kabul-phone", role: "office", office: "AFG")
        for replica in [central, laptop, phone] { try cluster.sync(replica) }
        // No --office: it comes from the office's token.
        try expectSuccess(
            cluster.plansync(
                laptop, "report", "add", "--activity", Self.activity, "--period", "2017-Q3", "--status", "on-track",
                "--text", "Two sessions", "--indicator", "sessions=2"))
        for replica in [laptop, phone, central] { try cluster.sync(replica) }

        // Both devices edit offline while the central team approves the period.
        try expectSuccess(
            cluster.plansync(
                laptop, "report", "add", "--activity", Self.activity, "--period", "2017-Q3", "--status", "completed"))
        try expectSuccess(
            cluster.plansync(
                phone, "report", "add", "--activity", Self.activity, "--period", "2017-Q3", "--status", "on-track",
                "--indicator", "sessions=5"))
        try expectSuccess(cluster.plansync(central, "report", "approve", "--office", "AFG", "--period", "2017-Q3"))
        try cluster.sync(central)
        for replica in [laptop, phone] {
            let synced = try cluster.plansync(replica, "sync")
            try expectSuccess(synced)
            #expect(synced.stdout.contains("(1 edit(s) of approved reports held for the central team)"), "\(synced)")
            #expect(!synced.stdout.contains("0 changed on the server"), "\(synced)")
        }
        try cluster.sync(central)

        let entries = try json(cluster.plansync(central, "conflicts", "--json").stdout) as! [[String: Any]]
        let held = entries.filter { $0["held"] != nil }
        #expect(held.count == 2, "\(entries)")
        // `reported_at` differs too when the two edits were made in different seconds.
        let changed = held.map { entry in
            Set((entry["changes"] as? [[String: String]] ?? []).compactMap { $0["field"] }).subtracting(["reported_at"])
        }
        // What differs from the approved report, and nothing else (no `language: en → en`).
        #expect(Set(changed) == [["status"], ["indicators", "reported_by"]], "\(held)")
        let text = try cluster.plansync(central, "conflicts").stdout
        #expect(text.contains("status: on-track → completed"), "\(text)")
        #expect(text.contains("indicators: sessions=2 → sessions=5"), "\(text)")
        #expect(!text.contains("language:"), "\(text)")

        let ambiguous = try cluster.plansync(central, "report", "accept", Self.report)
        #expect(ambiguous.status == 65, "\(ambiguous)")
        let ids = held.compactMap { $0["held"] as? String }
        #expect(ids.allSatisfy(ambiguous.stderr.contains), "\(ambiguous.stderr)")
        let statusEdit = try #require(
            held.first { entry in
                (entry["changes"] as? [[String: String]] ?? []).contains { $0["field"] == "status" }
            }?["held"] as? String)
        try expectSuccess(cluster.plansync(central, "report", "dismiss", statusEdit))
        let accepted = try cluster.plansync(central, "report", "accept", Self.report)
        try expectSuccess(accepted)
        #expect(accepted.stdout.contains("indicators"), "\(accepted)")
        let none = try cluster.plansync(central, "report", "accept", Self.report)
        #expect(none.status == 65 && none.stderr.contains("no held edit"), "\(none)")

        for replica in [central, laptop] { try cluster.sync(replica) }
        let fields = try WalkthroughTests.record(Self.report, in: cluster.dump(laptop))["fields"] as! [String: Any]
        #expect(fields["status"] as? String == "on-track")
        #expect(fields["indicators"] as? [String] == ["sessions=5"])
    }

    @Test func aCentralReplicaMustNameTheOffice() throws {
        let cluster = try Cluster()
        let central = try cluster.replica("central")
        try cluster.sync(central)
        let result = try cluster.plansync(
            central, "report", "add", "--activity", Self.activity, "--period", "2017-Q3", "--status", "on-track")
        #expect(result.status == 65 && result.stderr.contains("--office is needed"), "\(result)")
    }
}
