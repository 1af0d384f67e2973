import Foundation
import PlanSyncCore
import PlanSyncReports
import PlanSyncTestSupport
import Testing

/// The HTML report in a real browser: Debian's headless Chromium takes a 1200×1600 screenshot, and the PNG's
/// pixels show the chart's bars.
@Suite("The HTML report in headless Chromium", .serialized)
struct ChromiumTests {
    /// A legend swatch is 16×16 pixels; more than that of a colour means bars of that colour were drawn.
    static let legendSwatchPixels = 16 * 16

    func screenshot(_ report: ConsolidatedReport, in directory: TemporaryDirectory) throws -> String {
        let file = directory.file("report-\(report.language).html")
        try Data(report.html.utf8).write(to: URL(fileURLWithPath: file))
        let png = try Tools.screenshot(of: file, in: directory)
        let size = try #require(FileManager.default.attributesOfItem(atPath: png)[.size] as? Int)
        #expect(size > 20_000, "a \(size)-byte screenshot is too small to show a report")
        return png
    }

    @Test func theScreenshotShowsTheChartsBars() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let report = try ReportFixture.example().build()
        let png = try screenshot(report, in: directory)

        let fills = ProgressStatus.values.map { StatusPalette.swatch($0).fill }
        let pixels = try Tools.pixels(in: png, colours: fills + ["#ffffff"])
        #expect(pixels.width == 1200 && pixels.height == 1600)
        // Every status occurs in the example, so every colour must be drawn as a bar, not only in the legend.
        for (status, fill) in zip(ProgressStatus.values, fills) {
            let count = pixels.counts[fill] ?? 0
            #expect(count > Self.legendSwatchPixels * 3, "\(status) (\(fill)): only \(count) pixels")
        }
        #expect((pixels.counts["#ffffff"] ?? 0) > 1200 * 1600 / 2, "the page background is not white")
    }

    @Test func anArabicReportIsRightToLeftAndRenders() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let report = try ReportFixture.example().build(language: "ar")
        #expect(report.html.contains("<html lang=\"ar\" dir=\"rtl\">"))
        let png = try screenshot(report, in: directory)

        let delayed = StatusPalette.swatch("delayed").fill
        let pixels = try Tools.pixels(in: png, colours: [delayed])
        #expect((pixels.counts[delayed] ?? 0) > Self.legendSwatchPixels * 3)
    }
}
