import Foundation

/// A moment as a person reads it in printed output — `2026-12-01 08:37 UTC` — from the ISO 8601 text records
/// store (`reported_at`, an approval's `at`) or the milliseconds a resolution carries. Stored and wire values
/// stay as they are; only what is printed changes.
public enum ReadableDate {
    /// `2026-12-01T08:37:12Z` (or with fractional seconds) as `2026-12-01 08:37 UTC`; nil for any other text.
    public static func text(iso: String) -> String? {
        let scalars = Array(iso.unicodeScalars)
        guard scalars.count >= 20, scalars.last == "Z" else { return nil }
        let digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
        let marks: [Int: Unicode.Scalar] = [4: "-", 7: "-", 10: "T", 13: ":", 16: ":"]
        guard digits.allSatisfy({ ("0"..."9").contains(scalars[$0]) }),
            marks.allSatisfy({ scalars[$0.key] == $0.value }),
            scalars.count == 20
                || (scalars[19] == "." && scalars[20..<(scalars.count - 1)].allSatisfy { ("0"..."9").contains($0) })
        else { return nil }
        return String(iso.prefix(10)) + " " + String(iso.dropFirst(11).prefix(5)) + " UTC"
    }

    /// Milliseconds since 1970 as `2026-12-01 08:37 UTC`.
    public static func text(milliseconds: UInt64) -> String {
        let iso = iso(milliseconds: milliseconds)
        return text(iso: iso) ?? iso
    }

    /// Milliseconds since 1970 as ISO 8601 text, `2026-12-01T08:37:12Z`: what printed JSON carries.
    public static func iso(milliseconds: UInt64) -> String {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000).ISO8601Format()
    }
}
