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
        do {
            return try CompactionSchedule(every: interval.milliseconds, horizon: span.milliseconds)
        } catch {
            throw ValidationError(TimeSpan.problem(error, "compaction.horizon", horizon))
        }
    }
}
