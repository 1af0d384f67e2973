import Foundation
import PlanSyncCore
import Testing

@testable import PlanSyncReports

@Suite("Report labels and colours")
struct ReportStringsTests {
    @Test(arguments: ReportStrings.languages)
    func everyLabelStatusAndLanguageNameIsTranslated(language: String) throws {
        let labels = try #require(ReportStrings.table[language])
        let missing = ReportStrings.Label.allCases.filter { labels[$0]?.isEmpty ?? true }
        #expect(missing.isEmpty, "\(language) lacks \(missing)")
        #expect(Set(try #require(ReportStrings.statuses[language]).keys) == Set(ProgressStatus.values))
        #expect(Set(try #require(ReportStrings.languageNames[language]).keys) == Set(ReportStrings.languages))
    }

    @Test func arabicLabelsAreArabic() {
        let arabic = ReportStrings(language: "ar")
        #expect(arabic.isRightToLeft)
        for label in ReportStrings.Label.allCases {
            #expect(arabic[label].unicodeScalars.contains { (0x0600...0x06FF).contains($0.value) }, "\(label)")
        }
    }

    /// WCAG relative luminance of `#rrggbb`.
    static func luminance(_ hex: String) -> Double {
        let value = Int(hex.dropFirst(), radix: 16) ?? 0
        let channels = [value >> 16 & 255, value >> 8 & 255, value & 255].map { Double($0) / 255 }
        let linear = channels.map { $0 <= 0.03928 ? $0 / 12.92 : pow(($0 + 0.055) / 1.055, 2.4) }
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    }

    static func contrast(_ a: String, _ b: String) -> Double {
        let (x, y) = (luminance(a), luminance(b))
        return (max(x, y) + 0.05) / (min(x, y) + 0.05)
    }

    @Test(arguments: ProgressStatus.values)
    func statusColoursKeepTheirTextReadable(status: String) throws {
        let swatch = try #require(StatusPalette.swatches[status])
        #expect(Self.contrast(swatch.fill, swatch.text) >= 4.5)
        #expect(Self.contrast(swatch.fill, "#ffffff") >= 3)
        #expect(Self.contrast(swatch.tint, "#1f2328") >= 4.5)
    }

    @Test func everyStatusHasItsOwnColour() {
        let fills = StatusPalette.swatches.values.map(\.fill) + [StatusPalette.unset.fill]
        #expect(Set(fills).count == ProgressStatus.values.count + 1)
    }
}
