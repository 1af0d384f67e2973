import Logging
import PlanSyncCore

/// Compaction on a schedule, beside the server (`serve --compact-every`): once every `every` milliseconds, the
/// first one interval after the start, each with a horizon of `horizon` milliseconds; each run's summary is
/// logged. Ends when its task is cancelled (the server stopped).
public struct CompactionSchedule: Sendable {
    public let every: UInt64
    public let horizon: UInt64

    /// Why a compaction can not use `horizon` (milliseconds), or nil: under one shorter than how often a
    /// replica's sync is noted (`ServerMetrics.noteInterval`), a replica that syncs all the time would look away.
    public static func refusal(horizon: UInt64) -> HorizonRefusal? {
        horizon < ServerMetrics.noteInterval ? .shorterThanTheNoteInterval(ServerMetrics.noteInterval) : nil
    }

    /// A schedule, or why a server may not compact on it: a horizon too short (`refusal(horizon:)`), or shorter
    /// than the interval, under which a replica that missed one run would not be waited for and its offline edits
    /// would come back to records compacted meanwhile.
    public init(every: UInt64, horizon: UInt64) throws(HorizonRefusal) {
        if let refusal = Self.refusal(horizon: horizon) { throw refusal }
        guard horizon >= every else { throw .shorterThanTheInterval(every) }
        self.every = every
        self.horizon = horizon
    }

    /// Why a horizon is refused; the command that read it says so in its own words, naming its setting.
    public enum HorizonRefusal: Error, Equatable {
        /// Shorter than this, in milliseconds: how often a replica's sync is noted.
        case shorterThanTheNoteInterval(UInt64)
        /// Shorter than the interval between compactions, in milliseconds.
        case shorterThanTheInterval(UInt64)
    }

    /// Runs the schedule on `store`, with the server's wall clock in milliseconds (`now`), until cancelled.
    public func run(
        store: any SyncStore, logger: Logger, now: @Sendable () -> UInt64 = { SyncServer.now() }
    ) async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: .milliseconds(Int64(clamping: every)))
            } catch {
                return
            }
            do {
                let summary = try await store.compact(Compaction(horizon: horizon, now: now()), dryRun: false)
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
