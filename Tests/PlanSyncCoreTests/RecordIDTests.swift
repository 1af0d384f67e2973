import PlanSyncCore
import PlanSyncTestSupport
import Testing

/// Record ids are checked byte by byte (a server checks every id of every push). Over random ids made of the
/// pieces that make an id valid or nearly so, that accepts exactly what the rule read character by character
/// accepts: segments of letters, digits, `.`, `-` and `_` separated by `/`, each starting with a letter or digit,
/// at most 200 bytes.
@Suite("Record ids")
struct RecordIDTests {
    /// The rule as it reads, segment by segment and character by character.
    static func readAsWritten(_ id: String) -> Bool {
        func isLetterOrDigit(_ scalar: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
        }
        return !id.isEmpty && id.utf8.count <= Limits.maxIDBytes
            && id.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { segment in
                guard let first = segment.unicodeScalars.first, isLetterOrDigit(first) else { return false }
                return segment.unicodeScalars.allSatisfy { isLetterOrDigit($0) || "._-".unicodeScalars.contains($0) }
            }
    }

    /// Pieces of ids: valid ones, and the near misses — a space, a combining accent after a slash, Arabic
    /// letters and digits, a full-width letter, a backslash, a question mark, a tab, a slash.
    static let pieces = [
        "a", "Z", "7", "A.1", "iasc-aap", "x_y", ".", "-", "_", "/", "/", " ", "\u{301}", "ب", "٣", "Ａ", "\\", "?",
        "\t", "é", String(repeating: "k", count: 60),
    ]

    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func anIdIsValidExactlyWhenTheRuleReadAsWrittenSaysSo(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        var valid = 0
        for _ in 0..<3_000 {
            let id = rng.text(of: Self.pieces, upTo: 7)
            let expected = Self.readAsWritten(id)
            #expect(((try? RecordID.validate(id)) != nil) == expected, "\(id.unicodeScalars.map(\.value))")
            if expected { valid += 1 }
        }
        // Both kinds were drawn.
        #expect(valid > 100 && valid < 2_900)
    }

    @Test func theLongestIdIs200Bytes() {
        let longest = "plan/" + String(repeating: "x", count: 195)
        #expect((try? RecordID.validate(longest)) != nil)
        #expect(throws: RecordError.self) { try RecordID.validate(longest + "x") }
    }
}
