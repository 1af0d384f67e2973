import Foundation
import PlanSyncCore
import PlanSyncReports
import Testing

@Suite("The Markdown form of the consolidated report")
struct MarkdownTests {
    @Test func everySectionHasItsHeadingAndATableOfReports() throws {
        let report = try ReportFixture.example().build()
        let markdown = report.markdown
        #expect(markdown.hasPrefix("# Consolidated report: Draft IASC - Protection Policy"))
        for section in report.sections {
            #expect(markdown.contains("\n## \(section.code) \(section.title.text)\n"), "no heading for \(section.code)")
        }
        let tables = markdown.components(
            separatedBy: "| Activity | Office | Status | Indicators |\n| --- | --- | --- | --- |")
        #expect(tables.count - 1 == report.sections.count)
        #expect(markdown.contains("| A.1 Provide key stakeholders"))
        #expect(markdown.contains("| `AFG` | On track | briefings=2; participants=34 |"))
        #expect(markdown.contains("| `COL` | On track | sessions=4 / 5 (concurrent values) |"))
        #expect(markdown.contains("| A.2 Promote the roll out and implementation of the IASC Protection Policy"))
        #expect(markdown.contains("| `AFG` | ✓ Approved |\n| `CAF` | Not approved |"))
        #expect(markdown.contains("| `SYR` | Delayed | briefings=0 |\n"))
        #expect(markdown.contains("| `AFG` | Not started | — |\n"))
        #expect(markdown.contains("**Totals · A**"))
        #expect(markdown.contains("| `AFG` | 0 | 1 | 0 | 1 | 0 | 2 |"))
        #expect(
            markdown.contains(
                "## Edits awaiting the central team\n\n- `iasc-protection-policy/A.1/report/AFG/2017-Q4` (`AFG`, "
                    + "Proposed by: officer): status: on-track → completed"))
    }

    @Test func narrativesAreQuotedParagraphs() throws {
        let markdown = try ReportFixture.example().build(language: "fr").markdown
        #expect(markdown.contains("**A.1 · AFG** (anglais)\n> HCT briefed on 12 October;"))
        #expect(markdown.contains("**A.1 · SYR** (arabe)\n> تأجلت"))
        #expect(markdown.contains("> _Traduction (français)\u{A0}:_\n>\n> La séance"))
        #expect(markdown.contains("**C.1 · CAF** (français) — versions en conflit\u{A0}: 2\n> Mission"))
    }

    @Test func sectionsWithoutReportsSaySoAndTextIsEscaped() throws {
        var fixture = try ReportFixture()
        try fixture.report(
            "A.1", office: "AFG", status: "on-track", narrative: "# not a heading\n*not bold* | a|b",
            language: "en", indicators: ["a|b=1"])
        let markdown = try fixture.build().markdown
        #expect(markdown.contains("## B INSTITUTIONALISATION\n\n_No reports for this period_"))
        #expect(markdown.contains("> \\# not a heading\n> \\*not bold\\* \\| a\\|b"))
        #expect(markdown.contains("| a\\|b=1 |"))
    }
}
