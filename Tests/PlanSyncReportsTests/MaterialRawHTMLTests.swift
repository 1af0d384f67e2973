import Foundation
import PlanSyncCore
import PlanSyncMaterials
import PlanSyncReports
import Testing

/// A record pulled from another replica may still carry raw HTML in a material's text (a server does not check
/// it): neither the Markdown nor the HTML of the material lets it through as markup.
@Suite("Raw HTML from elsewhere in a material's outputs")
struct MaterialRawHTMLTests {
    static let script = "<script>alert(1)</script>"

    @Test(arguments: ["fr", "en"])
    func aScriptInATranslationOrTheEnglishIsEscapedInMarkdownAndHTML(language: String) throws {
        var translations = try MaterialHTMLTests.allTranslated()
        translations[1] = "Avant \(Self.script) <img src=x onerror=alert(1)> apres"
        let material = try MaterialHTMLTests.material(
            language: "fr", translatedTitle: "Guide <b>x</b>", translations: translations,
            changed: language == "en" ? [2: "English " + Self.script] : [:])
        let markdown = material.markdown(in: language)
        let html = MaterialHTML.render(material, language: language)
        for output in [markdown, html] {
            for tag in ["<script", "</script", "<img", "<b>"] { #expect(!output.contains(tag), "\(tag) in \(output)") }
        }
        let expected = language == "en" ? "English &lt;script>alert(1)&lt;/script>"
            : "Avant &lt;script>alert(1)&lt;/script> &lt;img src=x onerror=alert(1)> apres"
        #expect(markdown.contains(expected), "\(markdown)")
    }

    @Test func escapedMarkdownReadsBackAsText() throws {
        let segments = [MarkdownSegment(block: "p", text: "Avant \(Self.script) apres, and 3 < 5")]
        let escaped = "Avant &lt;script>alert(1)&lt;/script> apres, and 3 < 5"
        let markdown = MarkdownSegments.render(segments)
        #expect(markdown == escaped + "\n")
        #expect(try MarkdownSegments.parse(markdown).map(\.text) == [escaped])
    }
}
