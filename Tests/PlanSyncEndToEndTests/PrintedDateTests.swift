import Foundation
import PlanSyncTestSupport
import Testing

/// Printed dates read as dates — `show` and the HTML report — while `dump` and `--json` keep the stored text.
@Suite("Dates as people read them", .serialized)
struct PrintedDateTests {
    @Test func showAndTheHTMLReportPrintDatesNotISOText() throws {
        let cluster = try Cluster()
        let central = try cluster.replica("central")
        try cluster.sync(central)
        let id = "iasc-protection-policy/A.2/report/AFG/2017-Q4"
        try expectSuccess(cluster.plansync(
            central, "report", "add", "--activity", "iasc-protection-policy/A.2", "--office", "AFG", "--period",
            "2017-Q4", "--status", "on-track"))
        let readable = #/\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/#
        let shown = try cluster.plansync(central, "show", id).stdout
        #expect(shown.contains(readable), "\(shown)")
        #expect(!shown.contains(#/\d{2}:\d{2}:\d{2}Z/#), "\(shown)")
        let stored = try cluster.plansync(central, "show", id, "--json").stdout
        #expect(stored.contains(#/\d{2}:\d{2}:\d{2}Z/#), "--json keeps the stored text")

        let html = cluster.directory.file("q4.html")
        try expectSuccess(cluster.plansync(
            central, "report", "build", "--plan", "iasc-protection-policy", "--period", "2017-Q4", "--format", "html",
            "--output", html))
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.contains(readable) && !page.contains(#/\d{2}:\d{2}:\d{2}Z/#))
    }
}
