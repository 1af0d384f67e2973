/// A hybrid logical timestamp: wall-clock milliseconds, a logical counter, and the writing replica.
///
/// Ordered by `(wall, logical, replica)`. Used only where a conflict rule asks for "the latest" write.
public struct HybridTimestamp: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var wall: UInt64
    public var logical: UInt32
    public var replica: ReplicaID

    public init(wall: UInt64, logical: UInt32, replica: ReplicaID) {
        self.wall = wall
        self.logical = logical
        self.replica = replica
    }

    public var description: String { "\(wall).\(logical)@\(replica)" }

    public static func < (lhs: HybridTimestamp, rhs: HybridTimestamp) -> Bool {
        (lhs.wall, lhs.logical, lhs.replica) < (rhs.wall, rhs.logical, rhs.replica)
    }
}

/// A hybrid logical clock (Kulkarni et al.): monotonic, close to wall time, and ahead of every timestamp it
/// has observed, so a write made after seeing another always orders after it even when wall clocks disagree.
///
/// The clock is a value; the caller supplies the wall time, so it is tested with no real clock.
public struct HybridLogicalClock: Hashable, Sendable, Codable {
    public let replica: ReplicaID
    public private(set) var wall: UInt64
    public private(set) var logical: UInt32

    public init(replica: ReplicaID, wall: UInt64 = 0, logical: UInt32 = 0) {
        self.replica = replica
        self.wall = wall
        self.logical = logical
    }

    /// A timestamp for a local write at wall time `now` (milliseconds since 1970).
    public mutating func tick(now: UInt64) -> HybridTimestamp {
        if now > wall {
            wall = now
            logical = 0
        } else {
            logical += 1
        }
        return HybridTimestamp(wall: wall, logical: logical, replica: replica)
    }

    /// Moves the clock past a timestamp received from another replica.
    public mutating func observe(_ remote: HybridTimestamp) {
        if remote.wall > wall {
            wall = remote.wall
            logical = remote.logical
        } else if remote.wall == wall {
            logical = max(logical, remote.logical)
        }
    }
}
