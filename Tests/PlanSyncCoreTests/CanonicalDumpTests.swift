import PlanSyncCore
import Testing

/// The dump is written record by record (`CanonicalDump.Writer`) so a replica can stream it; its text must
/// stay byte for byte what `WireJSON.pretty` gives of the whole dump, which replicas compare.
@Suite("Canonical dump")
struct CanonicalDumpTests {
    static func writer(_ replica: String, wall: UInt64) -> Writer {
        Writer(time: HybridTimestamp(wall: wall, logical: 0, replica: ReplicaID(replica)), author: replica)
    }

    static func record(_ id: String, _ collection: String, _ values: [String: String]) throws -> RecordState {
        var clock = HybridLogicalClock(replica: ReplicaID("r1"))
        let new = NewRecord(id: id, collection: collection, values: values.map { NewRecord.Value($0.key, $0.value) })
        return try new.state(schema: .planSync) { Writer(time: try clock.tick(now: 1_000), author: "a") }
    }

    /// Records with every shape a dump has: lists, conflicts, translations of each status (one stale), a
    /// deleted record, an empty one, and texts needing every escape the encoder writes.
    static func records() throws -> [RecordState] {
        let awkward =
            "quote \" backslash \\ slash / tab \t line\nreturn \r bell \u{07} \u{1F} del \u{7F} "
            + "é 中文 العربية 👩🏽‍💻 \u{2028} \u{FFFE} form \u{0C} back \u{08} nul \u{0}"
        var activity = try record(
            "p/A.1", "activity",
            ["plan": "p", "section": "p/A", "title": awkward, "focal_points": "OCHA\nUNHCR", "comment": "c"])
        try activity.apply(
            .translate(field: "title", language: "fr", text: "Titre \"fr\"", status: .approved), schema: .planSync,
            by: writer("t1", wall: 2_000))
        try activity.apply(
            .translate(field: "comment", language: "ar", text: "تعليق", status: .draft), schema: .planSync,
            by: writer("t2", wall: 2_001))
        try activity.apply(
            .set(field: "comment", value: "changed since"), schema: .planSync, by: writer("r1", wall: 3_000))
        var left = activity
        var right = activity
        try left.apply(.set(field: "examples", value: "left\tone"), schema: .planSync, by: writer("a", wall: 4_000))
        try right.apply(.set(field: "examples", value: "right one"), schema: .planSync, by: writer("b", wall: 4_001))
        var deleted = try record("p/A.2", "activity", ["plan": "p", "title": "gone"])
        try deleted.apply(.delete, schema: .planSync, by: writer("r1", wall: 5_000))
        return [
            left.joined(with: right), deleted, try record("p", "plan", ["title": "P"]),
            RecordState(id: "p/empty", collection: "section"),
        ]
    }

    @Test func writtenRecordByRecordItIsTheEncodersText() throws {
        let dump = CanonicalDump(try Self.records())
        #expect(dump.records.contains { !$0.conflicts.isEmpty })
        #expect(try dump.json() == (try WireJSON.pretty(dump)))
    }

    @Test func anEmptyDumpIsTheEncodersTextToo() throws {
        let dump = CanonicalDump([RecordState]())
        #expect(try dump.json() == (try WireJSON.pretty(dump)))
    }

    @Test func chunksTakenAlongTheWayAddUpToTheWholeText() throws {
        let dump = CanonicalDump(try Self.records())
        var writer = CanonicalDump.Writer()
        var text: [UInt8] = []
        for record in dump.records {
            writer.append(record)
            text += writer.take()
        }
        text += writer.finish()
        #expect(String(decoding: text, as: UTF8.self) == (try WireJSON.pretty(dump)))
    }
}
