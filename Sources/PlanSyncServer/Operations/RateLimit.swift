import Logging
import PlanSyncCore
import Foundation
import Synchronization

/// A rate of requests: `rate` per second on average, up to `burst` at once.
public struct RateLimit: Sendable, Equatable, CustomStringConvertible {
    public var perSecond: Double
    public var burst: Double

    public init(perSecond: Double, burst: Double) {
        self.perSecond = perSecond
        self.burst = burst
    }

    /// `20/s`, `600/min` or `off`; the burst defaults to four seconds' worth, at least 1.
    public init?(_ text: String, burst: Double? = nil) {
        if text == "off" {
            self.init(perSecond: .infinity, burst: .infinity)
            return
        }
        let parts = text.split(separator: "/")
        guard parts.count == 2, let count = Double(parts[0]), count > 0, count.isFinite else { return nil }
        let seconds: Double
        switch parts[1] {
        case "s": seconds = 1
        case "min": seconds = 60
        case "h": seconds = 3600
        default: return nil
        }
        let rate = count / seconds
        self.init(perSecond: rate, burst: burst ?? max(1, (rate * 4).rounded(.up)))
    }

    public var isOff: Bool { perSecond == .infinity }

    public var description: String {
        isOff ? "off" : "\(perSecond.formatted(.number.precision(.fractionLength(0...2))))/s, burst \(Int(burst))"
    }
}

/// A token bucket: it holds up to `burst` tokens, refills at `perSecond`, and each request takes one.
/// A value with the time passed in, so it can be tested with no clock.
struct TokenBucket: Sendable {
    let limit: RateLimit
    private(set) var tokens: Double
    private var updated: Double

    init(_ limit: RateLimit, now: Double) {
        self.limit = limit
        tokens = limit.burst
        updated = now
    }

    /// Takes a token at `now` (seconds) and returns nil, or returns how many seconds until one is there.
    mutating func take(now: Double) -> Double? {
        tokens = min(limit.burst, tokens + max(0, now - updated) * limit.perSecond)
        updated = now
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return (1 - tokens) / limit.perSecond
    }
}

/// The server's rate limits: one token bucket per token holder and kind of request (push, pull).
final class RateLimiter: Sendable {
    let push: RateLimit
    let pull: RateLimit
    // Buckets of every holder that made a request, behind a lock: requests of many connections take from them.
    private let buckets = Mutex<[String: TokenBucket]>([:])
    private let started = ContinuousClock.now

    init(push: RateLimit, pull: RateLimit) {
        self.push = push
        self.pull = pull
    }

    /// Seconds to wait before `name` may make another request of this kind, or nil when it may now.
    func wait(name: String, push isPush: Bool) -> Double? {
        let limit = isPush ? push : pull
        guard !limit.isOff else { return nil }
        let now = (ContinuousClock.now - started) / .seconds(1)
        let key = (isPush ? "push " : "pull ") + name
        return buckets.withLock { buckets in
            var bucket = buckets[key] ?? TokenBucket(limit, now: now)
            let wait = bucket.take(now: now)
            buckets[key] = bucket
            return wait
        }
    }
}

extension SyncServer {
    /// Refuses a push or pull past the token holder's rate with 429 and `Retry-After`.
    func admit(_ principal: Principal, push: Bool) throws {
        guard let wait = rateLimiter.wait(name: principal.name, push: push) else { return }
        let seconds = max(1, Int(wait.rounded(.up)))
        let (kind, limit) = push ? ("push", rateLimiter.push) : ("pull", rateLimiter.pull)
        logger.notice("rate limited", metadata: ["principal": "\(principal.name)", "kind": "\(kind)"])
        throw APIError.rateLimited(
            "token '\(principal.name)' is over its \(kind) rate (\(limit)): try again in \(seconds) s",
            retryAfter: seconds)
    }
}
