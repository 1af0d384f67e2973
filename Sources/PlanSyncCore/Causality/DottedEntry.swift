/// A piece of a record's state that exists because of one write: a field candidate, a set element, a
/// translation candidate or a tombstone.
public protocol DottedEntry: Hashable, Sendable, Codable {
    var dot: Dot { get }
    var time: HybridTimestamp { get }
}

extension Array where Element: DottedEntry {
    /// The causal join of two copies of one dotted store, each with the context of its record.
    ///
    /// An entry survives when both copies hold it, or when one holds it and the other's context has not seen
    /// its dot. An entry one side holds and the other has seen but no longer holds was superseded: it goes.
    /// The result is sorted by dot, so equal inputs give equal outputs whatever the argument order.
    public static func join(
        _ left: [Element], seenBy leftContext: VersionVector,
        _ right: [Element], seenBy rightContext: VersionVector
    ) -> [Element] {
        let leftDots = Set(left.map(\.dot))
        let rightDots = Set(right.map(\.dot))
        var result = left.filter { rightDots.contains($0.dot) || !rightContext.covers($0.dot) }
        result += right.filter { !leftDots.contains($0.dot) && !leftContext.covers($0.dot) }
        return result.sorted { $0.dot < $1.dot }
    }

    /// The entries ordered latest first: by hybrid timestamp, ties broken by replica id. The first is the
    /// provisional winner, the same on every replica.
    public var latestFirst: [Element] {
        sorted { $0.time > $1.time }
    }
}
