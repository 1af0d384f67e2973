import ArgumentParser
import PlanSyncServer

/// Bounds on what clients may ask of the server: request rates per token, connections and header time.
struct LimitOptions: ParsableArguments {
    @Option(help: "Push requests per token holder: N/s, N/min or off (default 50/s).") var pushRate: String?
    @Option(help: "Pull requests per token holder: N/s, N/min or off (default 100/s).") var pullRate: String?
    @Option(help: "Requests a token holder may make at once above its rate (default: 4 s of the rate).")
    var rateBurst: Int?
    @Option(
        name: .customLong("header-timeout"), help: "Seconds a connection has to send a request's head (default 10).")
    var headerTimeoutGiven: Double?
    @Option(
        name: .customLong("min-body-rate"),
        help: "Slowest request body, in bytes a second over each 10 s; 0 for any (default 100).")
    var minBodyRateGiven: Int?
    @Option(
        name: .customLong("max-connections"),
        help: "Most connections open at once; more wait in the backlog (default 1000).")
    var maxConnectionsGiven: Int?

    /// The values in force, as `ServeOptions.resolved` sets them from the settings.
    var headerTimeout = 10.0
    var minBodyRate = 100
    var maxConnections = 1_000

    func validate() throws {
        for (flag, text) in [("--push-rate", pushRate), ("--pull-rate", pullRate)] {
            if let text, RateLimit(text) == nil {
                throw ValidationError("\(flag) must be N/s, N/min or off (e.g. 20/s), not '\(text)'")
            }
        }
        if let rateBurst, rateBurst < 1 { throw ValidationError("--rate-burst must be at least 1") }
        guard headerTimeout > 0, headerTimeout <= 3600 else {
            throw ValidationError("--header-timeout must be a number of seconds between 0 and 3600")
        }
        guard minBodyRate >= 0 else { throw ValidationError("--min-body-rate must be 0 or more bytes a second") }
        guard maxConnections > 0 else { throw ValidationError("--max-connections must be at least 1") }
    }

    func apply(to limits: inout SyncServer.Limits, _ network: inout NetworkSettings) {
        if let rate = pushRate.flatMap({ RateLimit($0) }) { limits.pushRate = rate }
        if let rate = pullRate.flatMap({ RateLimit($0) }) { limits.pullRate = rate }
        if let rateBurst {
            limits.pushRate.burst = Double(rateBurst)
            limits.pullRate.burst = Double(rateBurst)
        }
        network.headerTimeout = .milliseconds(Int64(headerTimeout * 1000))
        network.maxConnections = maxConnections
        network.minimumBodyRate = minBodyRate
    }
}
