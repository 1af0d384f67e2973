import PlanSyncCore
import PlanSyncMaterials
import PlanSyncReports
import Testing

/// French sets a no-break space before `:` (and a narrow one before `;`), so a label never ends a line alone.
@Suite("French punctuation in generated Markdown")
struct FrenchPunctuationTests {
    @Test func theFrenchReportSpacesItsColonsAndSemicolons() throws {
        let markdown = try ReportFixture.example().build(language: "fr").markdown
        #expect(markdown.hasPrefix("# Rapport consolidé\u{A0}: "), "\(markdown.prefix(80))")
        #expect(markdown.contains("**Plan\u{A0}:** `iasc-protection-policy`"))
        #expect(markdown.contains("**Période\u{A0}:** 2017-Q4"))
        #expect(markdown.contains("briefings=2\u{202F}; participants=34"))
        #expect(!markdown.contains("**Plan:**") && !markdown.contains(" :"))
    }

    @Test func otherLanguagesKeepTheColonTight() throws {
        let markdown = try ReportFixture.example().build(language: "es").markdown
        #expect(markdown.contains("**Plan:** `iasc-protection-policy`"))
        #expect(!markdown.contains("\u{A0}:"))
    }

    @Test func theFrenchMaterialLegendSpacesItsColonsAndGuillemets() {
        let legend = MaterialLabels.of("fr").legend
        #expect(legend.contains("«\u{A0}en anglais\u{A0}»\u{A0}:"))
        #expect(!legend.contains(" :") && !legend.contains("« ") && !legend.contains(" »"))
    }
}
