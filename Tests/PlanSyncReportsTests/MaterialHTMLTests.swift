import Foundation
import PlanSyncCore
import PlanSyncMaterials
@testable import PlanSyncReports
import PlanSyncTestSupport
import Testing

@Suite("Inline Markdown in a material page")
struct InlineMarkdownTests {
    @Test(arguments: [
        ("**bold**, *italic* and _italic_", "<strong>bold</strong>, <em>italic</em> and <em>italic</em>"),
        ("**bold _and em_ inside**", "<strong>bold <em>and em</em> inside</strong>"),
        ("***both***", "<em><strong>both</strong></em>"),
        ("run `plansync sync` now", "run <code>plansync sync</code> now"),
        ("`a <b> *not em*`", "<code>a &lt;b&gt; *not em*</code>"),
        ("`` a `tick` ``", "<code>a `tick`</code>"),
        ("one\ntwo", "one<br>two"),
    ])
    func emphasisCodeAndBreaks(markdown: String, html: String) {
        #expect(InlineMarkdown.html(markdown) == html)
    }

    @Test(arguments: [
        ("[the plan](https://example.org/p?a=1&b=2)", "<a href=\"https://example.org/p?a=1&amp;b=2\">the plan</a>"),
        ("see [it](http://example.org)", "see <a href=\"http://example.org\">it</a>"),
        ("[write](mailto:team@example.org)", "<a href=\"mailto:team@example.org\">write</a>"),
        ("[**the** plan](HTTPS://example.org)", "<a href=\"HTTPS://example.org\"><strong>the</strong> plan</a>"),
        ("[x](https://e.org/\"onclick=\"a)", "<a href=\"https://e.org/&quot;onclick=&quot;a\">x</a>"),
    ])
    func linksWithSafeSchemes(markdown: String, html: String) {
        #expect(InlineMarkdown.html(markdown) == html)
    }

    @Test(arguments: [
        ("[x](javascript:alert(1))", "[x](javascript:alert(1))"),
        ("[x](JavaScript:alert(1))", "[x](JavaScript:alert(1))"),
        ("[x](data:text/html,<b>hi</b>)", "[x](data:text/html,&lt;b&gt;hi&lt;/b&gt;)"),
        ("[x](/relative/path)", "[x](/relative/path)"),
        ("[x](https://e.org/a b)", "[x](https://e.org/a b)"),
    ])
    func otherAddressesStayText(markdown: String, html: String) {
        #expect(InlineMarkdown.html(markdown) == html)
        #expect(!InlineMarkdown.html(markdown).contains("<a"))
    }

    @Test(arguments: [
        ("<script>alert('x')</script> & co", "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co"),
        ("AT&T \"quoted\"", "AT&amp;T &quot;quoted&quot;"),
        ("snake_case_name", "snake_case_name"),
        ("2 * 3 * 4", "2 * 3 * 4"),
        ("**not closed", "**not closed"),
        ("\\*not em\\* and a \\| pipe", "*not em* and a | pipe"),
        ("a `lone backtick", "a `lone backtick"),
        ("[not a link] (https://e.org)", "[not a link] (https://e.org)"),
    ])
    func everythingElseIsEscapedText(markdown: String, html: String) {
        #expect(InlineMarkdown.html(markdown) == html)
    }
}

@Suite("A material as an HTML page")
struct MaterialHTMLTests {
    static let markdown = """
        A short *introduction*.

        - First item
        - Second item

        1. Step one
        2. Step two

        | Office | Status |
        |---|---|
        | AFG | On track |
        | SYR | Delayed |

        > A quoted line

        ## Contacts

        Write to [the team](mailto:team@example.org).

        """

    /// A material written the way a replica writes it, with translations into `language` for the segments
    /// given (by index), and the English of `changed` segments edited after they were translated.
    static func material(
        _ markdown: String = Self.markdown, title: String = "Briefing guide", audience: String = "",
        language: String = "ar", translatedTitle: String? = nil, translations: [Int: String] = [:],
        changed: [Int: String] = [:]
    ) throws -> Material {
        var clock = HybridLogicalClock(replica: ReplicaID("central"))
        var records = try MaterialWrites.add(
            id: "guide", title: title, kind: "briefing", audience: audience,
            body: try MarkdownSegments.parse(markdown), segmentKey: { "k\($0 + 100)" }
        ).map { try $0.state(schema: .planSync) { Writer(time: try clock.tick(now: 1_000), author: "central") } }
        func writer() throws -> Writer { Writer(time: try clock.tick(now: 2_000), author: "translator") }
        if let translatedTitle {
            try records[0].apply(
                .translate(field: "title", language: language, text: translatedTitle, status: .translated),
                schema: .planSync, by: writer())
        }
        for (index, text) in translations {
            try records[index + 1].apply(
                .translate(field: "text", language: language, text: text, status: .translated), schema: .planSync,
                by: writer())
        }
        for (index, text) in changed {
            try records[index + 1].apply(.set(field: "text", value: text), schema: .planSync, by: writer())
        }
        return try #require(Material(id: "guide", in: records))
    }

    /// Every segment of `markdown` translated, so nothing is marked.
    static func allTranslated(_ markdown: String = Self.markdown) throws -> [Int: String] {
        let count = try MarkdownSegments.parse(markdown).count
        return Dictionary(uniqueKeysWithValues: (0..<count).map { ($0, "نص \($0)") })
    }

    @Test(arguments: [("en", "en", "ltr"), ("ar", "ar", "rtl"), ("fr", "fr", "ltr"), (nil, "en", "ltr")])
    func thePageDeclaresItsLanguageAndDirection(language: String?, lang: String, dir: String) throws {
        let html = MaterialHTML.render(try Self.material(), language: language)
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"\(lang)\" dir=\"\(dir)\">"))
    }

    @Test func aPassageWithConcurrentVersionsIsMarked() throws {
        let material = try Self.material("First.\n\nSecond.\n")
        var left = material.segments.map(\.record)
        var right = left
        var a = HybridLogicalClock(replica: ReplicaID("amman"))
        var b = HybridLogicalClock(replica: ReplicaID("dakar"))
        try left[1].apply(.set(field: "text", value: "Second, by Amman."), schema: .planSync, by: Writer(time: try a.tick(now: 9_000), author: "a"))
        try right[1].apply(.set(field: "text", value: "Second, by Dakar."), schema: .planSync, by: Writer(time: try b.tick(now: 9_000), author: "b"))
        let joined = try #require(Material(id: "guide", in: [material.record] + zip(left, right).map { $0.joined(with: $1) }))
        let html = MaterialHTML.render(joined, language: nil)
        #expect(html.contains("<p id=\"guide/s/k101\"><span class=\"mark conflict\">in conflict</span> Second, by Dakar.</p>"), "\(html)")
        #expect(html.contains("<p class=\"legend\">"))
        #expect(html.components(separatedBy: "mark conflict").count == 2, "only the passage in conflict")
    }

    @Test func aBodyThatOpensWithItsTitleHasOneHeading() throws {
        let material = try Self.material("# Briefing guide\n\nText.\n", translations: [0: "دليل الإحاطة", 1: "نص."])
        let html = MaterialHTML.render(material, language: "ar")
        #expect(html.components(separatedBy: "<h1").count == 2, "one h1")
        #expect(html.contains("<h1 id=\"guide/s/k100\">دليل الإحاطة</h1>"))
        #expect(html.contains("<title>دليل الإحاطة</title>"))
        #expect(material.markdown(in: "ar") == "# دليل الإحاطة\n\nنص.\n")
    }

    @Test func itIsSelfContainedAndPrintable() throws {
        let html = MaterialHTML.render(try Self.material(audience: "HCs and HCTs"), language: nil)
        for outside in ["<script", "<link", "src=", "url(", "@import", "<iframe", "<img"] {
            #expect(!html.contains(outside), "the page must not load \(outside)")
        }
        #expect(html.contains("<meta charset=\"utf-8\">") && html.contains("@media print"))
        #expect(html.contains("<title>Briefing guide</title>"))
        #expect(html.contains("<h1 id=\"guide\">Briefing guide</h1>"))
        #expect(html.contains("<p class=\"meta\"><bdi>Briefing note</bdi> · Audience: <bdi>HCs and HCTs</bdi></p>"))
    }

    @Test func listsAndTablesAreGroupedAsInTheMarkdown() throws {
        let html = MaterialHTML.render(try Self.material(), language: nil)
        #expect(html.contains("<p id=\"guide/s/k100\">A short <em>introduction</em>.</p>"))
        #expect(
            html.contains(
                "<ul>\n<li id=\"guide/s/k101\">First item</li>\n<li id=\"guide/s/k102\">Second item</li>\n</ul>"))
        #expect(
            html.contains("<ol>\n<li id=\"guide/s/k103\">Step one</li>\n<li id=\"guide/s/k104\">Step two</li>\n</ol>"))
        #expect(
            html.contains(
                "<table>\n<thead><tr><th id=\"guide/s/k105\">Office</th><th id=\"guide/s/k106\">Status</th></tr></thead>\n"
                    + "<tbody>\n<tr><td id=\"guide/s/k107\">AFG</td><td id=\"guide/s/k108\">On track</td></tr>\n"
                    + "<tr><td id=\"guide/s/k109\">SYR</td><td id=\"guide/s/k110\">Delayed</td></tr>\n</tbody>\n</table>"
            ))
        #expect(html.contains("<blockquote id=\"guide/s/k111\"><p>A quoted line</p></blockquote>"))
        #expect(html.contains("<h2 id=\"guide/s/k112\">Contacts</h2>"))
        #expect(html.contains("<a href=\"mailto:team@example.org\">the team</a>"))
        for tag in ["<ul>", "<ol>", "<table>", "<thead>"] {
            #expect(html.components(separatedBy: tag).count == 2, "one \(tag) expected")
        }
    }

    @Test func anUntranslatedSegmentIsEnglishLeftToRightAndMarked() throws {
        var translations = try Self.allTranslated()
        translations[0] = nil
        let html = MaterialHTML.render(
            try Self.material(translatedTitle: "دليل الإحاطة", translations: translations), language: "ar")
        let labels = MaterialLabels.of("ar")
        #expect(
            html.contains(
                "<p id=\"guide/s/k100\" lang=\"en\" dir=\"ltr\"><bdi lang=\"ar\"><span class=\"mark fallback\">"
                    + "\(labels.fallback)</span></bdi> A short <em>introduction</em>.</p>"))
        #expect(html.contains("<li id=\"guide/s/k101\">نص 1</li>"))
        #expect(html.components(separatedBy: "class=\"mark").count == 2, "only the untranslated segment is marked")
        #expect(html.contains("<p class=\"legend\">\(labels.legend)</p>"))
    }

    @Test func aStaleTranslationIsMarkedInThePageLanguage() throws {
        let html = MaterialHTML.render(
            try Self.material(
                translatedTitle: "دليل الإحاطة", translations: try Self.allTranslated(),
                changed: [1: "First item, reworded"]),
            language: "ar")
        let labels = MaterialLabels.of("ar")
        #expect(html.contains("<li id=\"guide/s/k101\"><span class=\"mark stale\">\(labels.stale)</span> نص 1</li>"))
        #expect(!html.contains("mark fallback") && !html.contains("lang=\"en\""))
        #expect(html.contains("<p class=\"legend\">"))
    }

    @Test func anUntranslatedTitleIsMarkedToo() throws {
        let html = MaterialHTML.render(
            try Self.material(language: "fr", translations: try Self.allTranslated()), language: "fr")
        #expect(
            html.contains(
                "<h1 id=\"guide\" lang=\"en\" dir=\"ltr\"><bdi lang=\"fr\"><span class=\"mark fallback\">en anglais"
                    + "</span></bdi> Briefing guide</h1>"))
        #expect(html.contains("<p class=\"legend\">"))
    }

    @Test func theLegendIsShownOnlyWhenAMarkIs() throws {
        let translated = try Self.material(translatedTitle: "دليل الإحاطة", translations: try Self.allTranslated())
        #expect(!MaterialHTML.render(translated, language: "ar").contains("class=\"legend\""))
        #expect(!MaterialHTML.render(translated, language: "ar").contains("class=\"mark"))
        #expect(!MaterialHTML.render(try Self.material(), language: "en").contains("class=\"legend\""))
        #expect(!MaterialHTML.render(try Self.material(), language: nil).contains("class=\"mark"))
    }

    @Test func translatedTextIsEscaped() throws {
        var translations = try Self.allTranslated()
        translations[0] = "<script>alert('x')</script> & <b>bold</b>"
        let html = MaterialHTML.render(
            try Self.material(translatedTitle: "<i>title</i>", translations: translations), language: "ar")
        #expect(!html.contains("<script") && !html.contains("<b>") && !html.contains("<i>"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;"))
        #expect(html.contains("<title>&lt;i&gt;title&lt;/i&gt;</title>"))
    }
}

/// An Arabic material in a real browser: Debian's headless Chromium takes a 1200×1600 screenshot, and where the
/// dark text lies shows the page's direction.
@Suite("A material page in headless Chromium", .serialized)
struct MaterialChromiumTests {
    /// The fallback mark's background in `MaterialStylesheet`: where it is drawn, the untranslated paragraph is.
    static let fallbackBackground = "#fff7ed"

    @Test func anArabicMaterialRunsRightToLeftWithItsEnglishFallbackLeftToRight() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let markdown = """
            A monthly briefing.

            Report monthly.

            - First item
            - Second item

            | Office | Status |
            |---|---|
            | AFG | On track |

            """
        let material = try MaterialHTMLTests.material(
            markdown, translatedTitle: "دليل الإحاطة",
            translations: [
                0: "إحاطة شهرية.", 2: "البند الأول", 3: "البند الثاني", 4: "المكتب", 5: "الحالة",
                6: "أفغانستان", 7: "يسير وفق الخطة",
            ])
        let html = MaterialHTML.render(material, language: "ar")
        #expect(html.contains("<html lang=\"ar\" dir=\"rtl\">"))
        #expect(html.contains("background: \(Self.fallbackBackground)"))
        let file = directory.file("material-ar.html")
        try Data(html.utf8).write(to: URL(fileURLWithPath: file))
        let png = try Tools.screenshot(of: file, in: directory)

        let rows = try Tools.rows(in: png, colours: [Self.fallbackBackground])
        let middle = rows.width / 2
        // The meta line and the legend are grey, lighter than the threshold: the first two dark bands are the
        // title and the first (Arabic) paragraph.
        let bands = rows.darkBands()
        try #require(bands.count >= 2, "no text found on the page")
        for (name, band) in [("title", bands[0]), ("Arabic paragraph", bands[1])] {
            #expect(band.first > middle, "the \(name) starts at x=\(band.first): not on the right half")
            #expect(band.last > rows.width * 3 / 4, "the \(name) ends at x=\(band.last): not against the right margin")
        }

        // The rows where the fallback mark is drawn hold the English paragraph: the mark first, at the left
        // margin, then the English, which stays in the left half.
        let marked = (0..<rows.height).filter { rows.colours[Self.fallbackBackground]?[$0] != nil }
        try #require(!marked.isEmpty, "the fallback mark is not drawn")
        let mark = marked.compactMap { rows.colours[Self.fallbackBackground]?[$0] }
        let english = marked.compactMap { rows.dark[$0] }
        try #require(!english.isEmpty, "no English beside the fallback mark")
        let markFirst = mark.map(\.first).min() ?? 0
        let markLast = mark.map(\.last).max() ?? 0
        #expect(markFirst < rows.width / 4, "the mark starts at x=\(markFirst): not at the left margin")
        #expect(english.map(\.first).min() ?? 0 > markLast, "the English is not to the right of its mark")
        #expect(english.map(\.last).max() ?? rows.width < middle, "the English paragraph is not left-aligned")
    }
}
