/// How two causal contexts relate.
public enum CausalOrder: Sendable, Hashable {
    case equal
    /// The left side has seen strictly less than the right.
    case before
    /// The left side has seen strictly more than the right.
    case after
    /// Each side has seen something the other has not.
    case concurrent
}

/// A record's causal context: for each replica, the highest write counter of that replica seen for the record.
///
/// A dot `(r, n)` is covered when `n <= self[r]`. Contexts are always downward closed (a copy that has seen
/// `(r, n)` has seen every `(r, m)` with `m < n`) because whole record states travel together, so a vector
/// of maxima describes them exactly.
public struct VersionVector: Hashable, Sendable {
    public private(set) var counters: [ReplicaID: UInt64]

    public init(_ counters: [ReplicaID: UInt64] = [:]) {
        self.counters = counters.filter { $0.value > 0 }
    }

    public subscript(replica: ReplicaID) -> UInt64 {
        counters[replica] ?? 0
    }

    public var isEmpty: Bool { counters.isEmpty }

    /// Whether this context has seen `dot`.
    public func covers(_ dot: Dot) -> Bool {
        dot.counter <= self[dot.replica]
    }

    /// Mints the next dot of `replica` and records it as seen.
    public mutating func advance(_ replica: ReplicaID) -> Dot {
        let next = self[replica] + 1
        counters[replica] = next
        return Dot(replica, next)
    }

    /// The entry-wise maximum: everything either side has seen.
    public func merged(with other: VersionVector) -> VersionVector {
        VersionVector(counters.merging(other.counters, uniquingKeysWith: max))
    }

    public mutating func merge(_ other: VersionVector) {
        counters.merge(other.counters, uniquingKeysWith: max)
    }

    /// Whether this context has seen everything `other` has (`self >= other`).
    public func descends(_ other: VersionVector) -> Bool {
        other.counters.allSatisfy { self[$0.key] >= $0.value }
    }

    /// Whether this context has seen strictly more than `other` (`self > other`).
    public func dominates(_ other: VersionVector) -> Bool {
        descends(other) && self != other
    }

    public func compare(_ other: VersionVector) -> CausalOrder {
        switch (descends(other), other.descends(self)) {
        case (true, true): .equal
        case (true, false): .after
        case (false, true): .before
        case (false, false): .concurrent
        }
    }
}

extension VersionVector: Codable {
    /// Encoded as a JSON object `{replica: counter}`.
    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode([String: UInt64].self)
        self.init(Dictionary(uniqueKeysWithValues: raw.map { (ReplicaID($0.key), $0.value) }))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Dictionary(uniqueKeysWithValues: counters.map { ($0.key.rawValue, $0.value) }))
    }
}
