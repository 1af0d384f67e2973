/// One write: the `counter`-th write that `replica` made to a record.
///
/// Dots are unique by construction: a replica mints `(self, V[self] + 1)` from the record's version vector,
/// which always holds every dot that replica has minted for the record.
public struct Dot: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var replica: ReplicaID
    public var counter: UInt64

    public init(_ replica: ReplicaID, _ counter: UInt64) {
        self.replica = replica
        self.counter = counter
    }

    public var description: String { "(\(replica), \(counter))" }

    public static func < (lhs: Dot, rhs: Dot) -> Bool {
        (lhs.replica, lhs.counter) < (rhs.replica, rhs.counter)
    }
}
