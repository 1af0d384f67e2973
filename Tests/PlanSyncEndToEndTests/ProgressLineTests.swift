import Foundation
import PlanSyncTestSupport
import Testing

/// On a terminal, a sync that runs longer than a second shows where it stands (records and bytes); piped, it
/// prints only its summary line. `script` gives the real binary a pseudo-terminal.
@Suite("Progress on a terminal")
struct ProgressLineTests {
    /// A plan of `count` related activities under one key activity each ten, as a spreadsheet would hold it.
    static func bigPlan(_ count: Int) -> String {
        var lines = ["section,code,activity,related activity,focal point,time frame,indicators,comment,priority"]
        for index in 0..<count {
            let code = "A.\(index / 10 + 1)"
            let first = index % 10 == 0
            lines.append(
                "\(first ? "A: Coordination" : ""),\(code),\(first ? "Activity \(code)" : ""),"
                    + "Related activity \(index) with a description long enough to be worth sending,"
                    + "Cash working group chair,Q1,Indicator \(index),,Yes")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func aLongSyncShowsRecordsAndBytesOnATerminal() throws {
        let cluster = try Cluster()
        let central = try cluster.replica("central")
        try cluster.sync(central)
        let csv = cluster.directory.file("big.csv")
        try Self.bigPlan(8_000).write(toFile: csv, atomically: true, encoding: .utf8)
        try expectSuccess(
            cluster.plansync(central, "plan", "import", "--csv", csv, "--plan", "big-plan", "--title", "A big plan"))
        let command = "\(Binaries.path("plansync")) sync --replica \(central)"
        let terminal = try runTool("script", ["-qec", command, "/dev/null"])
        #expect(terminal.status == 0, "\(terminal)")
        // Which phase is still running after the first second depends on the machine; one of them is.
        #expect(
            (terminal.stdout.contains("push: ") || terminal.stdout.contains("pull: "))
                && terminal.stdout.contains("record(s), "), "\(terminal)")
        #expect(terminal.stdout.contains(" MB") || terminal.stdout.contains(" kB"), "\(terminal)")
        #expect(terminal.stdout.contains("B/s"), "the line shows the link's rate: \(terminal)")
        #expect(terminal.stdout.contains("pushed "), "\(terminal)")

        let other = try cluster.replica("other")
        let piped = try cluster.plansync(other, "sync")
        #expect(piped.status == 0 && piped.stderr.isEmpty, "\(piped)")
    }
}
