import ArgumentParser
import Foundation
import Logging
import PlanSyncCore
import PlanSyncServer

/// `plansync-server compact`: removes the contents of deleted records that every replica synced within the
/// retention horizon has seen deleted (docs/PROTOCOL.md, "Compaction and the retention horizon").
struct Compact: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove the contents of deleted records every recently synced replica has seen (while it runs).",
        discussion: """
            Replicas that have not synced within the horizon are not waited for; at their next sync they are \
            told, push their edits as usual and get the deleted records without their contents.
            """)

    @OptionGroup var storage: StoreOptions
    @Option(help: "How long to wait for a replica that stopped syncing: N followed by d, h, m or s.")
    var horizon = TimeSpan.defaultHorizon.description
    @Flag(help: "Say what would be removed, and change nothing.") var dryRun = false

    func run() async throws {
        let span: TimeSpan
        do {
            span = try TimeSpan.horizon(horizon, named: "--horizon")
        } catch {
            // One line, before anything is opened: nothing is changed.
            FileHandle.standardError.write(Data("plansync-server: \(error)\n".utf8))
            throw ExitCode(64)  // EX_USAGE
        }
        let store = try await storage.existingStore()
        let compaction = Compaction(horizon: span.milliseconds, now: UInt64(Date().timeIntervalSince1970 * 1000))
        let summary = try await store.compact(compaction, dryRun: dryRun)
        print(summary.line(dryRun: dryRun))
    }
}

/// A length of time as an operator writes it: a whole number followed by `d`, `h`, `m` or `s` (`180d`, `90s`).
struct TimeSpan: Sendable, Hashable, CustomStringConvertible {
    var milliseconds: UInt64

    /// Each unit and its length in milliseconds, the longest first.
    private static let units: [(name: Character, milliseconds: UInt64)] = [
        ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000),
    ]

    /// The horizon compaction waits for replicas by default (`Compaction.defaultHorizon`).
    static let defaultHorizon = TimeSpan(milliseconds: Compaction.defaultHorizon)

    init(milliseconds: UInt64) {
        self.milliseconds = milliseconds
    }

    init?(_ text: String) {
        guard let unit = Self.units.first(where: { $0.name == text.last })?.milliseconds,
            let count = UInt64(text.dropLast()), count > 0, count <= UInt64(Int64.max) / unit
        else { return nil }
        milliseconds = count * unit
    }

    /// As an operator would write it, in the longest unit it is a whole number of (`180d`).
    var description: String {
        let unit = Self.units.first { milliseconds % $0.milliseconds == 0 } ?? Self.units[Self.units.count - 1]
        return "\(milliseconds / unit.milliseconds)\(unit.name)"
    }

    /// The one line a bad value gets.
    static func problem(_ name: String, _ text: String) -> String {
        "\(name) must be a whole number followed by d, h, m or s (e.g. 180d or 12h), not '\(text)'"
    }

    /// The one line a horizon the server refuses gets (`CompactionSchedule.refusal(horizon:)`).
    static func problem(_ refusal: CompactionSchedule.HorizonRefusal, _ name: String, _ text: String) -> String {
        switch refusal {
        case .shorterThanTheNoteInterval(let shortest):
            "\(name) must be at least \(TimeSpan(milliseconds: shortest)), how often a replica's sync is noted, "
                + "not '\(text)'"
        case .shorterThanTheInterval(let every):
            "\(name) must be no shorter than compaction.every (\(TimeSpan(milliseconds: every))), not '\(text)'"
        }
    }

    /// The horizon `text` gives, or a one-line error naming the setting (`name`) when it is not a span or the
    /// server refuses it.
    static func horizon(_ text: String, named name: String) throws -> TimeSpan {
        guard let span = TimeSpan(text) else { throw ValidationError(problem(name, text)) }
        if let refusal = CompactionSchedule.refusal(horizon: span.milliseconds) {
            throw ValidationError(problem(refusal, name, text))
        }
        return span
    }
}
