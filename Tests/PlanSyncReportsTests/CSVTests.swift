import Foundation
import PlanSyncCore
import PlanSyncTestSupport
import Testing

@testable import PlanSyncReports

@Suite("The CSV form of the consolidated report")
struct CSVTests {
    static let header = [
        "plan", "section", "activity_code", "activity_title", "office", "period", "status", "indicators",
        "narrative", "narrative_language", "narrative_translation", "reported_by", "reported_at", "approved",
    ]

    /// Reads a CSV file with Python's `csv` module and reports its rows, whether it starts with a byte-order
    /// mark, and how its lines end.
    static let reader = #"""
        import csv, json, sys
        raw = open(sys.argv[1], "rb").read()
        with open(sys.argv[1], newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle, strict=True))
        print(json.dumps({
            "bom": raw.startswith(b"\xef\xbb\xbf"),
            "header_ends_crlf": raw.split(b"\n", 1)[0].endswith(b"\r"),
            "ends_crlf": raw.endswith(b"\r\n"),
            "rows": rows,
        }))
        """#

    struct Parsed: Decodable {
        var bom: Bool
        var header_ends_crlf: Bool
        var ends_crlf: Bool
        var rows: [[String]]
    }

    @Test func pythonReadsOneRowPerActivityAndOfficeWithArabicIntact() throws {
        var fixture = try ReportFixture()
        let quoted = "He said \"go\", then left,\nand came back."
        let afghanistan = try fixture.report(
            "A.1", office: "AFG", status: "on-track", narrative: quoted, language: "en",
            indicators: ["participants=34", "briefings=2"])
        try fixture.edit(
            afghanistan, .translate(field: "narrative", language: "fr", text: "Il a dit « allez ».", status: .draft))
        try fixture.edit(afghanistan, .set(field: "narrative", value: quoted + " Twice."), replica: "afg")
        let arabic = "تأجلت الجلسة، بسبب القيود الأمنية."
        let syria = try fixture.report(
            "A.1", office: "SYR", status: "delayed", narrative: arabic, language: "ar", by: "ليلى حداد")
        try fixture.edit(syria, .translate(field: "narrative", language: "fr", text: "Reportée.", status: .translated))
        try fixture.report(
            "A.1/2", office: "CAF", status: "completed", narrative: "=HYPERLINK(\"http://x\")", language: "fr",
            at: nil)
        try fixture.report("A.1", office: "COL", period: "2017-Q3", status: "completed")
        try fixture.approval(office: "AFG")
        let report = try fixture.build(language: "fr")

        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.file("report.csv")
        try Data(report.csv.utf8).write(to: URL(fileURLWithPath: file))
        let parsed = try JSONDecoder().decode(
            Parsed.self, from: Data(try Tools.python(Self.reader, [file]).utf8))

        func french(_ id: String) throws -> String {
            try #require(fixture.record("\(ReportFixture.plan)/\(id)")?.translation(of: "title", language: "fr")).text
        }
        let section = try french("A")
        let rows: [[String]] = [
            Self.header,
            [
                ReportFixture.plan, section, "A.1", try french("A.1"), "AFG", "2017-Q4", "on-track",
                "briefings=2; participants=34", quoted + " Twice.", "en", "[stale] Il a dit « allez ».", "officer",
                "2017-12-15T09:30:00Z", "yes",
            ],
            [
                ReportFixture.plan, section, "A.1", try french("A.1"), "SYR", "2017-Q4", "delayed", "", arabic, "ar",
                "Reportée.", "ليلى حداد", "2017-12-15T09:30:00Z", "no",
            ],
            [
                ReportFixture.plan, section, "A.1/2", try french("A.1/2"), "CAF", "2017-Q4", "completed", "",
                "'=HYPERLINK(\"http://x\")", "fr", "", "officer", "", "no",
            ],
        ]
        #expect(parsed.bom)
        #expect(parsed.header_ends_crlf && parsed.ends_crlf)
        #expect(parsed.rows == rows)
    }

    @Test func recordsEndInCRLFAndOnlyQuotedFieldsHoldBareLineFeeds() throws {
        var fixture = try ReportFixture()
        try fixture.report("A.1", office: "AFG", status: "on-track", narrative: "one\ntwo", language: "en")
        try fixture.report("B.1", office: "SYR", status: "delayed")
        let csv = try fixture.build().csv
        #expect(csv.hasPrefix("\u{FEFF}plan,section,activity_code,"))
        let scalars = Array(csv.unicodeScalars)
        let bareLineFeeds = scalars.indices.filter { scalars[$0] == "\n" && (($0 == 0) || scalars[$0 - 1] != "\r") }
        #expect(bareLineFeeds.count == 1)
        #expect(csv.contains("\"one\ntwo\""))
        #expect(csv.components(separatedBy: "\r\n").count == 4)
    }

    @Test(arguments: [
        ("plain", "plain"), ("a,b", "\"a,b\""), ("say \"hi\"", "\"say \"\"hi\"\"\""), ("a\nb", "\"a\nb\""),
        ("a\r\nb", "\"a\r\nb\""), ("مرحبا، عالم", "مرحبا، عالم"), ("", ""), ("=1+2", "'=1+2"), ("+1", "'+1"),
        ("@cmd", "'@cmd"), ("-cmd", "'-cmd"),
    ])
    func fieldsAreQuotedAsRFC4180Says(value: String, expected: String) {
        #expect(CSVFormat.field(value) == expected)
    }

    /// Every cell a spreadsheet could run as a formula starts with an apostrophe; every other cell is as written.
    @Test(arguments: [
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"), ("=SUM(A1)", "'=SUM(A1)"), ("+1", "'+1"),
        ("@SUM(A1)", "'@SUM(A1)"), ("- done", "'- done"), ("-5", "'-5"), ("\t=1+2", "'\t=1+2"),
        ("\r=1+2", "\"'\r=1+2\""), ("plain", "plain"), ("5-2", "5-2"), ("a=b", "a=b"), (" =1", " =1"),
        ("مرحبا", "مرحبا"), ("", ""),
    ])
    func cellsAFormulaCouldHideInAreDefused(value: String, expected: String) {
        #expect(CSVFormat.field(value) == expected)
    }

    @Test func concurrentNarrativesShareOneCell() throws {
        var fixture = try ReportFixture()
        let id = try fixture.report("A.1", office: "AFG", status: "on-track", narrative: "v0", language: "en")
        try fixture.concurrently(id, .set(field: "narrative", value: "v1"), .set(field: "narrative", value: "v2"))
        let csv = try fixture.build().csv
        #expect(csv.contains("\"v2\n---\nv1\"") || csv.contains("\"v1\n---\nv2\""))
    }
}
