import PlanSyncCore
import PlanSyncMaterials
import Testing

/// Raw HTML in a material's text is refused where the text enters: a Markdown file, a title, an edit.
@Suite("Raw HTML in material text")
struct MaterialTextTests {
    @Test(arguments: [
        ("Avant <script>alert(1)</script> apres", "<script>"), ("a </p> b", "</p>"), ("x <!-- c --> y", "<!-- c -->"),
        ("<?php x ?>", "<?php x ?>"), ("<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"),
        ("see <https://example.org>", "<https://example.org>"), ("<a\nhref=x>", "<a"),
    ])
    func rawHTMLIsFound(text: String, html: String) {
        #expect(MaterialText.rawHTML(in: text) == html)
    }

    @Test(arguments: ["3 < 5", "<5 years", "a <- b", "<< quoted >>", "« guillemets »", "**b** [x](https://e.o)", ""])
    func ordinaryTextHasNone(text: String) {
        #expect(MaterialText.rawHTML(in: text) == nil)
        #expect(MaterialText.escapingRawHTML(text) == text)
    }

    @Test func aMarkdownFileWithInlineHTMLIsRefusedWithItsLine() {
        let markdown = "# Title\n\nFirst line,\nthen <script>alert(1)</script>.\n"
        #expect {
            try MarkdownSegments.parse(markdown)
        } throws: { error in
            guard let error = error as? MarkdownError else { return false }
            return error.line == 4 && error.reason.hasPrefix("raw HTML (<script>) is not allowed in materials")
        }
    }

    @Test func aTitleOrAnEditWithRawHTMLIsRefused() throws {
        #expect(throws: MaterialWrites.Refusal.self) {
            try MaterialWrites.add(
                id: "m", title: "Guide <b>x</b>", kind: "faq", body: [.init(block: "p", text: "x")],
                segmentKey: { "k\($0)" })
        }
        let script = "<script>alert(1)</script>"
        for (collection, edit) in [
            ("segment", Edit.translate(field: "text", language: "fr", text: script, status: .translated)),
            ("segment", .set(field: "text", value: script)), ("segment", .resolve(field: "text", value: script)),
            ("material", .translate(field: "title", language: "ar", text: script, status: .draft)),
        ] {
            #expect(throws: MaterialWrites.Refusal.self, "\(edit)") {
                try MaterialText.check(edit, record: "m/s/k1", collection: collection)
            }
        }
        // Other records' text is shown escaped everywhere and is not material Markdown.
        try MaterialText.check(.set(field: "comment", value: script), record: "plan/A.1", collection: "activity")
        try MaterialText.check(.set(field: "audience", value: script), record: "m", collection: "material")
    }
}
