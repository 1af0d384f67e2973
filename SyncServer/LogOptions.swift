import ArgumentParser
import Foundation
import Logging
import PlanSyncServer

/// How the server logs: one line per request, start and shutdown, errors with their cause.
struct LogOptions: ParsableArguments {
    enum Format: String, Codable, CaseIterable { case text, json }

    @Option(
        name: .customLong("log-format"),
        help: "text (one readable line per entry) or json (one JSON object per line, for log shippers).")
    var formatText: String?
    @Option(
        name: .customLong("log-level"),
        help: "trace, debug, info, notice, warning, error or critical (default: $LOG_LEVEL, else info).")
    var levelText: String?

    /// The values in force, as `ServeOptions.resolved` sets them from the settings.
    var logFormat: Format = .text
    var logLevel: Logger.Level?

    /// Sets up the process's logging and returns the server's logger.
    func bootstrap() -> Logger {
        switch logFormat {
        case .text: LoggingSystem.bootstrap(StreamLogHandler.standardError)
        case .json: LoggingSystem.bootstrap { label in JSONLogHandler(label: label) }
        }
        var logger = Logger(label: "plansync-server")
        logger.logLevel =
            logLevel ?? ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .info
        return logger
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
