import Foundation
import PlanSyncTestSupport
import Testing

/// The translations shipped with the product pass the product's own quality checks on a fresh replica.
@Suite("Bundled translations", .serialized)
struct BundledTranslationTests {
    @Test func aFreshReplicaHasNoFindingsInAnyLanguage() throws {
        let cluster = try Cluster()
        let replica = try cluster.replica("reviewer", role: "viewer")
        try cluster.sync(replica)
        for language in ["ar", "fr", "es"] {
            let result = try cluster.plansync(replica, "translations", "check", "--lang", language)
            try expectSuccess(result)
            #expect(result.stdout == "0 finding(s) in the \(language) translations\n", "\(result.stdout)")
        }
        let status = try cluster.plansync(
            replica, "translations", "status", "--plan", "iasc-protection-policy", "--lang", "fr")
        try expectSuccess(status)
        let rows = status.stdout.split(separator: "\n").dropFirst()
        #expect(rows.count == 1 && rows.first?.hasPrefix("fr    iasc-protection-policy ") == true, "\(status)")
    }
}
