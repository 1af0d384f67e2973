import Foundation
import PlanSyncTestSupport
import Testing

@testable import PlanSyncContent

/// A cell is stored with its line ends made `\n` and its surrounding space trimmed. Cells with neither are handed
/// back as they are; over random cells of awkward text, that gives exactly what walking every character does.
@Suite struct SpreadsheetCellTests {
    /// The cell as every cell was cleaned before cells with nothing to clean were handed back untouched.
    static func walked(_ cell: String) -> String {
        String(cell.map { $0 == "\r\n" || $0 == "\r" ? "\n" : $0 }).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Pieces of the text people paste into spreadsheets: Arabic, French with combining accents, no-break and
    /// ideographic spaces, a line separator, next-line, zero-width space, Windows and old Mac line ends, a flag.
    static let pieces = [
        "a", "Plan", "é", "e\u{301}", "\u{301}", " ", "\u{00A0}", "\t", "\n", "\r", "\r\n", "\u{2028}", "\u{3000}",
        "\u{85}", "\u{200B}", "ب", "خطة", "🇫🇷", "\"", ";", "",
    ]

    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func aCellIsCleanedAsWalkingItsCharactersCleansIt(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        var untouched = 0
        for _ in 0..<2_000 {
            let cell = rng.text(of: Self.pieces, upTo: 6)
            let cleaned = PlanSpreadsheet.clean(cell)
            #expect(cleaned == Self.walked(cell), "\(cell.unicodeScalars.map { String($0.value, radix: 16) })")
            if cleaned == cell { untouched += 1 }
        }
        // Both kinds of cell were drawn: some needed cleaning, some did not.
        #expect(untouched > 100 && untouched < 1_900)
    }
}
