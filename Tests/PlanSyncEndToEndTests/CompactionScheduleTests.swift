import PlanSyncServer
import Testing

/// The server's rules for a compaction schedule, which `serve` and `compact` ask before opening anything.
@Suite("Compaction schedule")
struct CompactionScheduleTests {
    static let second: UInt64 = 1_000

    @Test func aHorizonShorterThanTheNoteIntervalIsRefused() {
        let tooShort = CompactionSchedule.HorizonRefusal.shorterThanTheNoteInterval(5_000)
        #expect(CompactionSchedule.refusal(horizon: ServerMetrics.noteInterval - 1) == tooShort)
        #expect(CompactionSchedule.refusal(horizon: 0) == tooShort)
        #expect(CompactionSchedule.refusal(horizon: ServerMetrics.noteInterval) == nil)
        #expect(CompactionSchedule.refusal(horizon: 180 * 86_400 * Self.second) == nil)
    }

    @Test func aHorizonShorterThanTheIntervalIsRefused() throws {
        #expect(throws: CompactionSchedule.HorizonRefusal.shorterThanTheInterval(7_200 * Self.second)) {
            try CompactionSchedule(every: 7_200 * Self.second, horizon: 5_400 * Self.second)
        }
        #expect(throws: CompactionSchedule.HorizonRefusal.shorterThanTheNoteInterval(5_000)) {
            try CompactionSchedule(every: Self.second, horizon: 2 * Self.second)
        }
        let schedule = try CompactionSchedule(every: 3_600 * Self.second, horizon: 3_600 * Self.second)
        #expect(schedule.every == schedule.horizon)
    }
}
