/// Reads the numbers of a text so that the same number compares equal however a language writes it.
///
/// Arabic-Indic (`٠`–`٩`) and Extended Arabic-Indic (`۰`–`۹`) digits read as Latin ones; `٫` is a decimal
/// point and `٬`, no-break spaces and thin spaces group thousands. `.` and `,` are read from their shape:
/// `1,500`, `1.500` and `1 500` are all 1500, `13.8` and `13,8` are both 13.8, and a code such as `1.1.2`
/// stays as it is. So `A.1`, `3.4` and `13.8` must reappear, in whatever script, in the translation.
enum NumberReading {
    static func numbers(in text: String) -> [CarriedToken] {
        let scalars = Array(text.unicodeScalars)
        var numbers: [CarriedToken] = []
        var index = 0
        while index < scalars.count {
            guard digit(scalars[index]) != nil else {
                index += 1
                continue
            }
            var groups = [""]
            var separators: [Unicode.Scalar] = []
            let start = index
            while index < scalars.count {
                if let value = digit(scalars[index]) {
                    groups[groups.count - 1].append(value)
                    index += 1
                } else if joins(groups, at: index, in: scalars) {
                    separators.append(scalars[index])
                    groups.append("")
                    index += 1
                } else {
                    break
                }
            }
            var written = ""
            written.unicodeScalars.append(contentsOf: scalars[start..<index])
            numbers.append(CarriedToken(key: key(groups: groups, separators: separators), text: written))
        }
        return numbers
    }

    /// The digit a scalar stands for, in any of the scripts PlanSync's languages write numbers in.
    private static func digit(_ scalar: Unicode.Scalar) -> Character? {
        let value = scalar.value
        let offset: UInt32? =
            switch value {
            case 0x30...0x39: value - 0x30
            case 0x660...0x669: value - 0x660
            case 0x6F0...0x6F9: value - 0x6F0
            default: nil
            }
        return offset.map { Character(Unicode.Scalar(0x30 + $0)!) }
    }

    /// Separators that always group thousands: the Arabic thousands separator, and spaces, which only ever
    /// group when a group of exactly three digits follows.
    private static let groupingMarks: Set<Unicode.Scalar> = ["\u{066C}", " ", "\u{00A0}", "\u{202F}", "\u{2009}"]
    private static let spaces: Set<Unicode.Scalar> = [" ", "\u{00A0}", "\u{202F}", "\u{2009}"]
    private static let arabicDecimal: Unicode.Scalar = "\u{066B}"

    /// Whether the separator at `index` continues the number: it is followed by a digit, and a space is
    /// followed by exactly three digits after a thousands-shaped start, so "in 2017 100 people" is two numbers.
    private static func joins(_ groups: [String], at index: Int, in scalars: [Unicode.Scalar]) -> Bool {
        let separator = scalars[index]
        guard separator == "." || separator == "," || separator == arabicDecimal || groupingMarks.contains(separator),
            index + 1 < scalars.count, digit(scalars[index + 1]) != nil
        else { return false }
        guard spaces.contains(separator) else { return true }
        var end = index + 1
        while end < scalars.count, digit(scalars[end]) != nil { end += 1 }
        return end - index - 1 == 3 && (1...3).contains(groups[0].count)
            && groups.dropFirst().allSatisfy { $0.count == 3 }
    }

    /// The number in a form every language shares: grouping removed, the decimal point (or a code's dots)
    /// written `.`.
    private static func key(groups: [String], separators: [Unicode.Scalar]) -> String {
        var isPoint: [Bool?] = separators.map { separator in
            separator == arabicDecimal ? true : groupingMarks.contains(separator) ? false : nil
        }
        let ambiguous = isPoint.indices.filter { isPoint[$0] == nil }
        if let last = ambiguous.last {
            let shapes = Set(ambiguous.map { separators[$0] })
            for position in ambiguous {
                isPoint[position] =
                    if shapes.count > 1 {
                        // `1,234.5` or `1.234,5`: the last mark is the decimal point.
                        position == last
                    } else if isPoint.contains(true) {
                        false
                    } else if isPoint.contains(false) {
                        // `1 234,5`: the spaces group, so the comma is the decimal point.
                        true
                    } else {
                        !thousandsShaped(groups)
                    }
            }
        }
        var key = groups[0]
        for (position, group) in groups.dropFirst().enumerated() {
            key += (isPoint[position] == true ? "." : "") + group
        }
        return key
    }

    /// `1,500` or `12.345.678`: a short first group without a leading zero, then groups of three.
    private static func thousandsShaped(_ groups: [String]) -> Bool {
        (1...3).contains(groups[0].count) && groups[0].first != "0"
            && groups.dropFirst().allSatisfy { $0.count == 3 }
    }
}
