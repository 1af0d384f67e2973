/// How many records the next request of one kind (push batches, or pull pages) should carry, from what the
/// completed ones of this sync measured: about `target` of the link at hand per request.
///
/// Pure arithmetic, no clock: the session times each request and reports it here. A request of `n` records that
/// took `t` measures `n / t` records per second, so the next one carries `target × n / t` (bytes per record and
/// bytes per second cancel out). The size grows at most fourfold per request, a quarter per request once one
/// has failed in this sync; a failure halves it; it stays within `bounds` and, when `maxBytes` is set, keeps a
/// request's body under that many bytes at the bytes per record measured last.
public struct AdaptiveSize: Sendable, Equatable {
    /// The fewest and most records a request may carry (the most is the server's limit).
    public let bounds: ClosedRange<Int>
    /// How long a request should take.
    public let target: Duration
    /// The most body bytes a request may carry, or nil for no limit but `bounds`.
    public let maxBytes: Int?
    /// The size of the next request.
    public private(set) var next: Int
    /// The most the size may grow by after one request.
    public private(set) var growth: Double = 4
    /// Body bytes per record of the last request that said its bytes.
    public private(set) var bytesPerRecord: Double?

    public init(start: Int, bounds: ClosedRange<Int>, target: Duration = .seconds(10), maxBytes: Int? = nil) {
        self.bounds = bounds
        self.target = target
        self.maxBytes = maxBytes
        next = min(max(start, bounds.lowerBound), bounds.upperBound)
    }

    /// A push batch: at most the server's 2,000 records, and a gzip body of at most 4 MiB (the server takes 16).
    public static func push(ceiling: Int = 2_000, target: Duration = .seconds(10)) -> AdaptiveSize {
        AdaptiveSize(start: 50, bounds: 1...max(1, min(ceiling, 2_000)), target: target, maxBytes: 4 << 20)
    }

    /// A pull page: at most the server's 5,000 records.
    public static func pull(ceiling: Int = 5_000, target: Duration = .seconds(10)) -> AdaptiveSize {
        AdaptiveSize(start: 100, bounds: 1...max(1, min(ceiling, 5_000)), target: target)
    }

    /// A request of `records` records, whose body was `bytes` bytes (nil: not known), completed in `elapsed`.
    /// A request smaller than the size (the last of its kind) measures bytes per record but leaves the size as
    /// it is: it did not try it.
    public mutating func completed(records: Int, bytes: Int? = nil, elapsed: Duration) {
        guard records > 0 else { return }
        if let bytes, bytes > 0 { bytesPerRecord = Double(bytes) / Double(records) }
        var size = Double(next)
        if records >= next {
            let seconds = max(Self.seconds(elapsed), 0.001)
            size = min(Double(records) / seconds * Self.seconds(target), Double(next) * growth)
        }
        if let maxBytes, let bytesPerRecord { size = min(size, Double(maxBytes) / bytesPerRecord) }
        next = clamped(Int(size.rounded(.down)))
    }

    /// A request of `records` records failed (the connection dropped): the next carries half as many, and the
    /// size grows slowly from then on, so a link that drops every few seconds settles below that.
    public mutating func failed(records: Int) {
        next = clamped(min(next, max(records, 1)) / 2)
        growth = 1.25
    }

    private func clamped(_ size: Int) -> Int {
        min(max(size, bounds.lowerBound), bounds.upperBound)
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
