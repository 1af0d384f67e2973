import ArgumentParser
import Foundation
import Logging
import PlanSyncCore
import PlanSyncServer

/// The compaction flags of `serve`: how often to compact and how long to wait for a replica that stopped syncing.
struct CompactionOptions: ParsableArguments {
    @Option(
        name: .customLong("compact-every"),
        help: "How often to compact: N followed by d, h, m or s, or off (PLANSYNC_COMPACTION_EVERY; default 1d).")
    var every: String?
    @Option(
        help: ArgumentHelp(
            "How long compaction waits for a replica that stopped syncing (PLANSYNC_COMPACTION_HORIZON; "
                + "\(TimeSpan.defaultHorizon))."))
    var horizon: String?
}

extension ServeOptions {
    /// The schedule the settings give, or nil when compaction is off; a bad value is one line naming the setting.
    func compactionSchedule(_ settings: ServeSettings) throws -> CompactionSchedule? {
        let every = settings.string("compaction.every")
        let horizon = settings.string("compaction.horizon")
        let span = try TimeSpan.horizon(horizon, named: "compaction.horizon")
        if every == "off" { return nil }
        guard let interval = TimeSpan(every) else {
            throw ValidationError(TimeSpan.problem("compaction.every", every) + " (or off)")
        }
        // Under a shorter horizon a replica that missed one run would not be waited for: its offline edits would
        // come back to records compacted meanwhile.
        guard span.milliseconds >= interval.milliseconds else {
            throw ValidationError(
                "compaction.horizon must be no shorter than compaction.every (\(every)), not '\(horizon)'")
        }
        return CompactionSchedule(every: interval, horizon: span)
    }
}

/// Compaction on a schedule, beside the server (`serve --compact-every`): once every `every`, the first one
/// interval after the start; each run's summary is logged. Ends when the task is cancelled (the server stopped).
struct CompactionSchedule: Sendable {
    var every: TimeSpan
    var horizon: TimeSpan

    func run(store: any SyncStore, logger: Logger) async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: .milliseconds(Int64(clamping: every.milliseconds)))
            } catch {
                return
            }
            let compaction = Compaction(
                horizon: horizon.milliseconds, now: UInt64(Date().timeIntervalSince1970 * 1000))
            do {
                let summary = try await store.compact(compaction, dryRun: false)
                logger.info(
                    "compacted",
                    metadata: [
                        "records": "\(summary.records)", "entries": "\(summary.entries)", "bytes": "\(summary.bytes)",
                        "settled": "\(summary.settled)", "away": "\(summary.away)",
                    ])
            } catch {
                logger.error("compaction failed; the next runs at the next interval", metadata: ["error": "\(error)"])
            }
        }
    }
}
