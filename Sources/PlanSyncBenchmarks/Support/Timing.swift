extension Duration {
    /// The duration in seconds, as a floating-point number.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

/// Runs `body` and returns its result with the time it took on the continuous clock.
func timed<T>(_ body: () async throws -> T) async rethrows -> (T, seconds: Double) {
    let clock = ContinuousClock()
    let start = clock.now
    let result = try await body()
    return (result, (clock.now - start).seconds)
}

extension Array where Element == Double {
    /// The `fraction` quantile (nearest rank), e.g. 0.5 for the median, 0.99 for p99. Zero when empty.
    func quantile(_ fraction: Double) -> Double {
        guard !isEmpty else { return 0 }
        let sorted = self.sorted()
        let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
        return sorted[Swift.max(0, Swift.min(sorted.count - 1, rank))]
    }
}
