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
        // Both copies hold the same entries (a store a delta did not carry, read from the stored copy): every
        // entry survives, and the filters below would keep `left` whole.
        if left == right { return left.sortedByDot }
        let inRight: (Dot) -> Bool, inLeft: (Dot) -> Bool
        if left.count * right.count <= 64 {
            // The usual store holds one or two entries: a scan costs less than building two sets.
            inRight = { dot in right.contains { $0.dot == dot } }
            inLeft = { dot in left.contains { $0.dot == dot } }
        } else {
            let leftDots = Set(left.map(\.dot))
            let rightDots = Set(right.map(\.dot))
            inRight = { rightDots.contains($0) }
            inLeft = { leftDots.contains($0) }
        }
        var result: [Element] = []
        result.reserveCapacity(left.count + right.count)
        for entry in left where inRight(entry.dot) || !rightContext.covers(entry.dot) { result.append(entry) }
        for entry in right where !inLeft(entry.dot) && !leftContext.covers(entry.dot) { result.append(entry) }
        return result.sortedByDot
    }

    /// The entries ordered by dot, without a copy when they already are (a stored join's output is).
    var sortedByDot: [Element] {
        var index = 1
        while index < count, self[index - 1].dot < self[index].dot { index += 1 }
        return index >= count ? self : sorted { $0.dot < $1.dot }
    }

    /// The entries ordered latest first: by hybrid timestamp, ties broken by replica id. The first is the
    /// provisional winner, the same on every replica.
    public var latestFirst: [Element] {
        sorted { $0.time > $1.time }
    }
}
