import Synchronization

/// How long one request may take in all, from its size and the throughput measured of the link so far.
///
/// The read timeout (no byte for `PLANSYNC_TIMEOUT` seconds) only starts once the request is sent, so while a
/// push body goes up this deadline is the only bound: it must let a large body through a slow link while bytes
/// still flow. A request of `bytes` expects `bytes / throughput`; it gets `factor` times that, and never less
/// than `floor`. The throughput is the slowest measured by a request that moved at least `minimumSample` bytes
/// (smaller ones measure the round trip more than the link), else `assumed`.
public struct RequestDeadline: Sendable, Equatable {
    /// No request is cut sooner: the former fixed timeout.
    public let floor: Duration
    /// How many times the expected duration a request is given.
    public let factor: Double
    /// Bytes per second assumed before a large enough request was measured: 2 kB/s, a poor 2G link.
    public let assumed: Double
    /// The least bytes a request must move to measure the link.
    public let minimumSample: Int
    /// The slowest throughput measured, in bytes per second.
    public private(set) var measured: Double?

    public init(floor: Duration, factor: Double = 4, assumed: Double = 2_000, minimumSample: Int = 16_384) {
        self.floor = floor
        self.factor = factor
        self.assumed = assumed
        self.minimumSample = minimumSample
    }

    /// The bytes per second a deadline is computed from.
    public var throughput: Double { measured ?? assumed }

    /// A request moved `bytes` (sent and received) in `elapsed`.
    public mutating func completed(bytes: Int, elapsed: Duration) {
        let seconds = AdaptiveSize.seconds(elapsed)
        guard bytes >= minimumSample, seconds > 0 else { return }
        let rate = Double(bytes) / seconds
        measured = min(measured ?? rate, rate)
    }

    /// The deadline of a request that sends and receives about `bytes` bytes.
    public func deadline(forBytes bytes: Int) -> Duration {
        let expected = Double(bytes) / throughput * factor
        // Past a day a request is not slow, it is stuck (and `Duration` arithmetic stays in range).
        return max(floor, .milliseconds(Int64(min(expected, 86_400) * 1000)))
    }
}

/// The `RequestDeadline` of one transport, shared by its concurrent requests.
final class LinkMeter: Sendable {
    // A mutex: a pull fetches its next page while the previous is applied, and both may report.
    private let state: Mutex<RequestDeadline>

    init(_ deadline: RequestDeadline) {
        state = Mutex(deadline)
    }

    var current: RequestDeadline { state.withLock { $0 } }

    func completed(bytes: Int, elapsed: Duration) {
        state.withLock { $0.completed(bytes: bytes, elapsed: elapsed) }
    }
}
