/// Keys that order a replicated sequence: strings over `0-9A-Za-z` compared as plain strings, read as base-62
/// fractions between 0 and 1. There is always a key between two others, so a segment inserted anywhere takes
/// a key of its own without renumbering its neighbours; two replicas inserting at one place may choose the
/// same key, and the segments' ids then order them, the same way everywhere.
///
/// A key never ends in `0`, so string order and numeric order agree.
public enum PositionKey {
    static let digits = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    static let base = digits.count

    static func value(_ character: Character) -> Int? {
        digits.firstIndex(of: character)
    }

    /// Whether `key` is a key this type makes.
    public static func isValid(_ key: String) -> Bool {
        !key.isEmpty && key.last != "0" && key.allSatisfy { value($0) != nil }
    }

    /// A key strictly between `lower` and `upper`; nil stands for the start or the end of the sequence.
    /// Precondition: `lower < upper` when both are given.
    public static func between(_ lower: String?, _ upper: String?) -> String {
        let low = (lower ?? "").map { value($0) ?? 0 }
        let high = upper.map { $0.map { value($0) ?? base - 1 } }
        precondition(high.map { low.lexicographicallyPrecedes($0) } ?? true, "keys out of order")
        return String(midpoint(low[...], high?[...]).map { digits[$0] })
    }

    /// `count` keys spread evenly over the whole range, in order: the keys of a new document.
    public static func spread(_ count: Int) -> [String] {
        guard count > 0 else { return [] }
        var width = 1
        var span = base
        while span <= count + 1 { width += 1; span *= base }
        return (1...count).map { index in
            var number = index * span / (count + 1)
            var out = Array(repeating: 0, count: width)
            for place in stride(from: width - 1, through: 0, by: -1) {
                out[place] = number % base
                number /= base
            }
            while out.last == 0 { out.removeLast() }
            return String(out.map { digits[$0] })
        }
    }

    /// The digits of a fraction strictly between `low` and `high` (nil: 1), neither ending in a zero digit.
    static func midpoint(_ low: ArraySlice<Int>, _ high: ArraySlice<Int>?) -> [Int] {
        if let high {
            // A shared prefix (reading missing digits of `low` as zeros) is kept as is.
            var shared = 0
            while shared < high.count, (shared < low.count ? low[low.startIndex + shared] : 0) == high[high.startIndex + shared] {
                shared += 1
            }
            if shared > 0 {
                let prefix = Array(high.prefix(shared))
                return prefix + midpoint(low.dropFirst(min(shared, low.count)), high.dropFirst(shared))
            }
        }
        let lowDigit = low.first ?? 0
        let highDigit = high?.first ?? base
        if highDigit - lowDigit > 1 {
            return [(lowDigit + highDigit) / 2]
        }
        if let high, high.count > 1 {
            // `high` is longer than one digit: its first digit alone is already below it and above `low`.
            return [highDigit]
        }
        return [lowDigit] + midpoint(low.dropFirst(), nil)
    }
}
