import PlanSyncCore
import Testing

/// Printed dates: stored ISO text and a resolution's milliseconds read as `YYYY-MM-DD HH:MM UTC`.
@Suite("Readable dates")
struct ReadableDateTests {
    @Test(arguments: [
        ("2026-12-01T08:37:12Z", "2026-12-01 08:37 UTC"), ("2017-03-05T23:59:00.123Z", "2017-03-05 23:59 UTC"),
    ])
    func isoTimestampsReadAsDates(iso: String, shown: String) {
        #expect(ReadableDate.text(iso: iso) == shown)
    }

    @Test(arguments: ["2017-12-20", "on track", "2026-12-01T08:37:12+02:00", "2026-12-01 08:37:12Z", ""])
    func otherTextIsLeftAsWritten(text: String) {
        #expect(ReadableDate.text(iso: text) == nil)
    }

    @Test func millisecondsReadAsDates() {
        #expect(ReadableDate.text(milliseconds: 1_500_000_000_000) == "2017-07-14 02:40 UTC")
    }
}
