/// A reporting period: a year (`2017`), a quarter (`2017-Q1`) or a month (`2017-03`).
public struct Period: Hashable, Sendable, Comparable, CustomStringConvertible {
    public enum Length: Int, Sendable { case year, quarter, month }

    public let year: Int
    public let length: Length
    /// The quarter (1–4) or month (1–12); 0 for a year.
    public let index: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard let first = parts.first, first.count == 4, let year = Int(first), year >= 1900, year <= 2999 else {
            return nil
        }
        self.year = year
        switch parts.count {
        case 1:
            length = .year
            index = 0
        case 2 where parts[1].count == 2 && parts[1].first == "Q":
            guard let quarter = Int(parts[1].dropFirst()), (1...4).contains(quarter) else { return nil }
            length = .quarter
            index = quarter
        case 2 where parts[1].count == 2:
            guard let month = Int(parts[1]), (1...12).contains(month) else { return nil }
            length = .month
            index = month
        default:
            return nil
        }
    }

    public var description: String {
        switch length {
        case .year: "\(year)"
        case .quarter: "\(year)-Q\(index)"
        case .month: index < 10 ? "\(year)-0\(index)" : "\(year)-\(index)"
        }
    }

    public static func < (lhs: Period, rhs: Period) -> Bool {
        (lhs.year, lhs.length.rawValue, lhs.index) < (rhs.year, rhs.length.rawValue, rhs.index)
    }
}
