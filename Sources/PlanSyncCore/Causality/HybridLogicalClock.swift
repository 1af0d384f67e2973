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

    /// Whether both parts lie in their documented ranges (`CausalBounds`).
    public var isInRange: Bool {
        wall <= CausalBounds.maxWall && logical <= CausalBounds.maxLogical
    }
}

/// A clock that could not give a timestamp within `CausalBounds`.
public struct ClockError: Error, Hashable, Sendable, CustomStringConvertible {
    public let description: String
}

/// A hybrid logical clock (Kulkarni et al.): monotonic, close to wall time, and ahead of every timestamp it
/// has observed, so a write made after seeing another always orders after it even when wall clocks disagree.
///
/// The clock is a value; the caller supplies the wall time, so it is tested with no real clock. It never traps:
/// a tick either advances within `CausalBounds` or throws, and `observe` adopts only timestamps within a limit
/// the caller gives (a drift bound), so one forged timestamp cannot freeze or crash every replica.
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
    ///
    /// When the logical counter is at its bound the wall part moves on by a millisecond instead.
    public mutating func tick(now: UInt64) throws(ClockError) -> HybridTimestamp {
        if now > wall {
            guard now <= CausalBounds.maxWall else {
                throw ClockError(description: "the wall clock reads \(now) ms, beyond any valid time")
            }
            wall = now
            logical = 0
        } else if logical < CausalBounds.maxLogical {
            logical += 1
        } else {
            guard wall < CausalBounds.maxWall else {
                throw ClockError(description: "the hybrid clock is at its last possible timestamp")
            }
            wall += 1
            logical = 0
        }
        return HybridTimestamp(wall: wall, logical: logical, replica: replica)
    }

    /// Moves the clock past a timestamp received from another replica, unless its wall part is beyond `limit`
    /// (the receiver's idea of now plus the drift bound) or out of range. Returns whether it was adopted.
    @discardableResult
    public mutating func observe(_ remote: HybridTimestamp, limit: UInt64) -> Bool {
        guard remote.isInRange, remote.wall <= limit else { return false }
        if remote.wall > wall {
            wall = remote.wall
            logical = remote.logical
        } else if remote.wall == wall {
            logical = max(logical, remote.logical)
        }
        return true
    }

    /// Whether the clock reads later than `limit`: it ticked while the device's wall clock was ahead, or it
    /// adopted a timestamp from a version that did not bound them.
    public func isAhead(of limit: UInt64) -> Bool {
        wall > limit
    }

    /// Sets the clock back to `now`. Only for a clock that is ahead of the server's time plus the drift bound:
    /// no timestamp beyond that bound was ever accepted by the server, so none can order after one minted now.
    public mutating func rewind(to now: UInt64) {
        wall = min(now, CausalBounds.maxWall)
        logical = 0
    }
}

/// The ranges every causal number must lie in, on the wire and in storage. A push with a number outside them
/// is refused; documented in docs/PROTOCOL.md.
public enum CausalBounds {
    /// Largest dot counter and version-vector entry: a signed 32-bit integer, as a PostgreSQL `integer` holds.
    public static let maxCounter: UInt64 = 2_147_483_647
    /// Largest logical counter of a hybrid timestamp (same bound).
    public static let maxLogical: UInt32 = 2_147_483_647
    /// Largest wall time in milliseconds: 2^53 − 1, exact as a JSON number in every language.
    public static let maxWall: UInt64 = 9_007_199_254_740_991
    /// How far ahead of the server's clock a new timestamp may be: five minutes. Also the bound beyond which a
    /// replica does not adopt a pulled timestamp, and beyond which it warns that its clock is wrong.
    public static let maxDrift: UInt64 = 5 * 60 * 1_000
}
