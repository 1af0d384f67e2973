import ArgumentParser
import Foundation
import PlanSyncCore
import PlanSyncReplica
import PlanSyncReports
import PlanSyncWorkflows

/// `plansync report build`: the central team's consolidated report of one plan for one period.
struct ReportBuild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Consolidate every office's reports on a plan for one period into an HTML, CSV or Markdown file.",
        discussion: """
            Only reports for exactly that period are included (a quarter does not include its months). HTML is \
            one self-contained, printable page with a chart of statuses per section and office; CSV has a \
            byte-order mark for Excel and one row per (activity, office); Markdown is for e-mail. The file is \
            replaced atomically, and nothing is written when the plan or period is wrong.
            """)

    @OptionGroup var replica: ReplicaOptions
    @Option(help: "The plan's id, e.g. iasc-protection-policy.") var plan: String
    @Option(help: "The period: 2017, 2017-Q1 or 2017-03.") var period: String
    @Option(help: "html, csv or md.") var format: String
    @Option(help: "The file to write.") var output: String
    @Option(help: "The language of headings and titles: en, ar, fr or es.") var lang: String = "en"

    func run() async throws {
        guard let format = ReportFormat(rawValue: format) else {
            let formats = ReportFormat.allCases.map(\.rawValue).joined(separator: ", ")
            throw Failure(ExitStatus.usage, "--format must be one of \(formats), not '\(format)'")
        }
        // Arguments that need no replica are checked before it is opened, so a typo names the typo.
        guard Period(period) != nil else {
            throw Failure(ExitStatus.usage, "--period '\(period)' is not a period: write 2017, 2017-Q1 or 2017-03")
        }
        guard ReportStrings.languages.contains(lang) else {
            let languages = ReportStrings.languages.joined(separator: ", ")
            throw Failure(ExitStatus.usage, "--lang must be one of \(languages), not '\(lang)'")
        }
        let report = try await ConsolidatedReport.build(
            plan: plan, period: period, language: lang, in: replica.open())
        try writeText(report.rendered(as: format), to: output)
        let reports = report.reports
        let offices = Set(reports.map(\.office)).count
        print(
            "wrote \(output) (\(format.rawValue), \(lang)): \(plan) for \(report.period), \(reports.count) report(s) "
                + "from \(offices) office(s), \(report.heldEdits.count) edit(s) awaiting the central team")
    }
}
