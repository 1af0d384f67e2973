import Foundation
import PlanSyncCore
import PlanSyncReports
import Testing

@Suite("The HTML form of the consolidated report")
struct HTMLTests {
    @Test(arguments: [("en", "ltr"), ("ar", "rtl"), ("fr", "ltr"), ("es", "ltr")])
    func theDocumentDeclaresItsLanguageAndDirection(language: String, direction: String) throws {
        let html = try ReportFixture.example().build(language: language).html
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"\(language)\" dir=\"\(direction)\">"))
        #expect(html.contains("<svg") && html.contains("direction=\"\(direction)\""))
    }

    @Test func itIsSelfContainedAndPrintable() throws {
        let html = try ReportFixture.example().build().html
        for outside in ["<script", "<link", "src=", "url(", "@import", "<iframe", "<img"] {
            #expect(!html.contains(outside), "the report must not load \(outside)")
        }
        let links = html.components(separatedBy: "http").count - 1
        #expect(links == html.components(separatedBy: "http://www.w3.org/2000/svg").count - 1)
        #expect(html.contains("@media print"))
        #expect(html.contains("<meta charset=\"utf-8\">"))
    }

    @Test func recordTextIsEscaped() throws {
        var fixture = try ReportFixture()
        try fixture.report(
            "A.1", office: "AFG", status: "on-track", narrative: "<script>alert('x')</script> & \"co\"",
            language: "en", indicators: ["<b>=1"], by: "<i>me</i>")
        let html = try fixture.build().html
        #expect(!html.contains("<script") && !html.contains("<b>") && !html.contains("<i>"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;"))
        #expect(html.contains("<bdi>&lt;b&gt;</bdi>: <bdi>1</bdi>"))
    }

    @Test func mixedDirectionRunsAreIsolated() throws {
        var fixture = try ReportFixture.example()
        try fixture.create(
            "\(ReportFixture.plan)/A.9", "activity",
            [
                ("plan", ReportFixture.plan), ("section", "\(ReportFixture.plan)/A"), ("code", "A.9"),
                ("position", "9"), ("title", "Untranslated title"),
            ])
        let html = try fixture.build(language: "ar").html
        #expect(html.contains("<bdi>AFG</bdi>") && html.contains("<bdi>2017-Q4</bdi>"))
        #expect(html.contains("<bdi>A.1/1</bdi>"))
        #expect(html.contains("<bdi lang=\"en\">Untranslated title</bdi> <span class=\"marker\">"))
        #expect(html.contains("<p dir=\"auto\" lang=\"en\">HCT briefed on 12 October"))
        #expect(html.contains("<h2>الملخص</h2>"))
    }

    @Test func narrativesShowOriginalTranslationConflictsAndStaleness() throws {
        var fixture = try ReportFixture.example()
        let html = try fixture.build(language: "fr").html
        #expect(html.contains("<span class=\"label\">Original (arabe)</span><p dir=\"auto\" lang=\"ar\">تأجلت"))
        #expect(html.contains("<span class=\"label\">Traduction (français)</span><p dir=\"auto\" lang=\"fr\">"))
        #expect(html.contains("<span class=\"marker\">(versions en conflit: 2)</span>"))
        #expect(html.contains("<bdi>4</bdi> · <bdi>5</bdi> <span class=\"marker\">(valeurs concurrentes)</span>"))
        #expect(!html.contains("traduction périmée"))

        let syria = ReportFixture.reportID("A.1", "SYR", "2017-Q4")
        try fixture.edit(syria, .set(field: "narrative", value: "تأجلت مرة أخرى."), replica: "syr")
        #expect(try fixture.build(language: "fr").html.contains("(traduction périmée)"))
    }

    @Test func theChartHasABarPerSectionAndOfficeInThePaletteColours() throws {
        let report = try ReportFixture.example().build()
        let html = report.html
        let svg = try #require(
            html.range(of: "<svg").flatMap { start in
                html.range(of: "</svg>").map { String(html[start.lowerBound..<$0.upperBound]) }
            })
        let bars = report.sections.map(\.totals.rows.count).reduce(0, +)
        #expect(svg.components(separatedBy: "<g class=\"bar\">").count - 1 == bars)
        for status in ProgressStatus.values {
            let fill = try #require(StatusPalette.swatches[status]).fill
            #expect(svg.contains("fill=\"\(fill)\""), "no \(status) in the chart")
            #expect(svg.contains(">\(ReportStrings(language: "en").status(status))</text>"))
        }
        // Full-strength fills are the chart's alone, so a screenshot's pixels of them come from the chart.
        let outside = html.replacingOccurrences(of: svg, with: "")
        for swatch in StatusPalette.swatches.values { #expect(!outside.contains(swatch.fill)) }
    }

    @Test func heldEditsAreListedForTheCentralTeam() throws {
        let html = try ReportFixture.example().build().html
        #expect(html.contains("<h2>Edits awaiting the central team</h2>"))
        #expect(html.contains("<li><bdi>status</bdi>: <bdi>on-track</bdi> → <bdi>completed</bdi></li>"))
        var empty = try ReportFixture()
        try empty.report("A.1", office: "AFG", status: "on-track")
        #expect(try empty.build().html.contains("No edits are waiting."))
    }
}
