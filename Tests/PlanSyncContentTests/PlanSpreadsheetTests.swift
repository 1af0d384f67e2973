import Foundation
import PlanSyncContent
import PlanSyncCore
import Testing

private typealias Problem = PlanSpreadsheetError.Problem

private let header = "section,code,activity,related activity,focal point,time frame,indicators,comment,priority"

/// Reads a CSV as a plan called `plan`, failing the test if it has problems.
private func plan(_ csv: String) throws -> PlanDocument {
    try PlanSpreadsheet.document(csv: csv, plan: "plan", title: "A plan")
}

/// The problems a CSV has, or nil if it gave a document.
private func problems(_ csv: String, plan id: String = "plan", title: String = "A plan") -> [Problem]? {
    do {
        _ = try PlanSpreadsheet.document(csv: csv, plan: id, title: title)
        return nil
    } catch {
        return error.problems
    }
}

/// A field's value in one of the new records.
private func value(_ field: String, of id: String, in records: [NewRecord]) -> String? {
    records.first { $0.id == id }?.values.first { $0.field == field }?.value
}

@Suite struct PlanSpreadsheetTests {
    @Test func excelExportWithAMultiLineCellGivesThePlan() throws {
        // What Excel writes: a byte-order mark, CRLF line ends, a header in its own case and order, and a quoted
        // cell whose line breaks are CRLF too.
        let rows = [
            " Code ,Section,Activity,Related Activity,Focal Point,Indicators,Time frame,Comment,PRIORITY",
            "A.1,A: Promotion and dissemination,Promote the plan,Translate it,Alice ; Bob,\"Copies printed\r\n"
                + "Copies sent\",Q1,\"Start with\r\nthe summary\",YES",
            "A.1,,Promote the plan,Present it,Carol,,,,Status Quo",
            "A.2,,Train focal points,,,,,,",
            ",,,,,,,,",
            "3.4,1: Capturing good practice,Collect practice,Write case studies,,Every six months,,,status-quo",
        ]
        let document = try PlanSpreadsheet.document(
            csv: "\u{FEFF}" + rows.joined(separator: "\r\n") + "\r\n", plan: "plan", title: " A plan ")

        #expect(document.id == "plan")
        #expect(document.title == "A plan")
        #expect(document.sections.map(\.code) == ["A", "1"])
        #expect(document.sections.map(\.title) == ["Promotion and dissemination", "Capturing good practice"])
        #expect(document.sections.map { $0.activities.map(\.code) } == [["A.1", "A.2"], ["3.4"]])
        #expect(document.sections[0].activities.map(\.title) == ["Promote the plan", "Train focal points"])
        let translate = try #require(document.sections.first?.activities.first?.related.first)
        #expect(translate.title == "Translate it")
        #expect(translate.focalPoints == ["Alice", "Bob"])
        #expect(translate.indicators == ["Copies printed", "Copies sent"])
        #expect(translate.timeFrame == "Q1")
        #expect(translate.comment == "Start with\nthe summary")
        #expect(translate.priority == "yes")

        let records = document.newRecords
        #expect(
            records.map(\.id) == [
                "plan", "plan/A", "plan/A.1", "plan/A.1/1", "plan/A.1/2", "plan/A.2", "plan/1", "plan/3.4",
                "plan/3.4/1",
            ])
        #expect(value("title", of: "plan/A.1/2", in: records) == "Present it")
        #expect(value("priority", of: "plan/A.1/2", in: records) == "status-quo")
        #expect(value("priority", of: "plan/3.4/1", in: records) == "status-quo")
        #expect(value("focal_points", of: "plan/A.1/1", in: records) == "Alice\nBob")
        #expect(value("section", of: "plan/3.4", in: records) == "plan/1")
        #expect(value("position", of: "plan/A.2", in: records) == "2")
    }

    @Test func newRecordsAreValidForTheSchema() throws {
        let document = try plan("\(header)\nA: Section,A.1,Activity,Related,\"Alice\nBob\",Q1,One ; Two,Note,No\n")
        var clock = HybridLogicalClock(replica: ReplicaID("test"))
        for record in document.newRecords {
            _ = try record.state(schema: .planSync) { Writer(time: try clock.tick(now: 1), author: "test") }
        }
        #expect(document.newRecords.count == 4)
    }

    @Test func theDocumentedExampleImports() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/examples/plan-example.csv")
        let document = try plan(String(contentsOf: url, encoding: .utf8))
        #expect(document.sections.map(\.code) == ["A", "B"])
        #expect(document.sections.flatMap(\.activities).map(\.code) == ["A.1", "A.2", "B.1", "B.2"])
        #expect(document.sections.flatMap(\.activities).map(\.related.count) == [2, 1, 2, 0])
        let meetings = document.sections[0].activities[0].related[1]
        #expect(meetings.indicators == ["Meetings held", "Minutes shared within a week"])
        #expect(meetings.focalPoints == ["Cash working group chair", "Information officer"])
    }

    @Test(arguments: BadFile.all) func aBadFileReportsEveryProblemAndGivesNoDocument(_ file: BadFile) {
        #expect(problems(file.csv) == file.problems)
    }

    @Test func aBadPlanIDOrTitleIsReportedWithTheRows() {
        let found = problems("\(header)\nA: Section,A.1,Activity,Related,,,,,Maybe", plan: "Cash/2026", title: "  ")
        #expect(found?.map(\.line) == [nil, nil, 2])
        #expect(found?.first?.message.hasPrefix("plan id 'Cash/2026' is not a valid id") == true)
        #expect(found?.dropFirst().first?.message == "the plan title is blank")
    }

    @Test func theErrorListsOneProblemALine() throws {
        let csv = "\(header)\nA: Section,A.1,Activity,Related,,,,,High\n,,Activity,Other,,,,,"
        let error = try #require(throws: PlanSpreadsheetError.self) {
            try PlanSpreadsheet.document(csv: csv, plan: "plan", title: "Plan", file: "plan.csv")
        }
        #expect(
            error.description == """
                2 problems in plan.csv; nothing was imported
                line 2: priority 'High' must be Yes, No or Status Quo, or blank
                line 3: the code is blank (every row names its key activity, e.g. 'A.1')
                """)
    }

    @Test func listCellsSplitOnLinesAndSpacedSemicolons() throws {
        let document = try plan("\(header)\nA: S,A.1,T,R,\"Alice ; Bob\nCarol;Dan\n\n Alice \",,,,")
        #expect(document.sections[0].activities[0].related[0].focalPoints == ["Alice", "Bob", "Carol;Dan"])
    }
}

/// A spreadsheet with mistakes, and the problems it must report.
struct BadFile: Sendable, CustomTestStringConvertible {
    let name: String
    let csv: String
    let problems: [PlanSpreadsheetError.Problem]

    var testDescription: String { name }

    init(_ name: String, _ rows: [String], _ problems: [(Int?, String)]) {
        self.name = name
        self.csv = rows.joined(separator: "\n")
        self.problems = problems.map { PlanSpreadsheetError.Problem(line: $0.0, $0.1) }
    }

    static let all: [BadFile] = [
        BadFile("empty file", [""], [(nil, "the file is empty")]),
        BadFile("blank lines only", ["", " ", ""], [(nil, "the file is empty")]),
        BadFile("header only", [header, ""], [(nil, "no plan rows under the header")]),
        BadFile(
            "no header", ["A: Promotion,A.1,Promote the plan,Translate it,,,,,", ",A.2,Train,,,,,,"],
            [(1, "no header row: the first row must name the columns (\(columns))")]),
        BadFile(
            "unknown and duplicate columns", ["section,code,activity,Owner,Code,budget", "A: S,A.1,T,,,"],
            [
                (1, "unknown columns 'Owner', 'budget' (the columns are \(columns))"),
                (1, "column 'code' appears more than once"),
            ]),
        BadFile(
            "missing required column", ["section,code,related activity", "A: S,A.1,R"],
            [(1, "missing column 'activity'")]),
        BadFile(
            "blank code", [header, "A: S,A.1,T,R1,,,,,", "A: S,,T,R2,,,,,"],
            [(3, "the code is blank (every row names its key activity, e.g. 'A.1')")]),
        BadFile(
            "bad code characters", [header, "A: S,A 1,T,R,,,,,"],
            [(2, "code 'A 1' must be letters, digits and dots, starting with a letter or digit")]),
        BadFile(
            "missing activity title", [header, "A: S,A.1,,R,,,,,"],
            [(2, "key activity A.1 has no title: fill in the activity column on its first row")]),
        BadFile(
            "conflicting activity titles", [header, "A: S,A.1,Train,R1,,,,,", ",A.1,Training,R2,,,,,"],
            [(3, "key activity A.1 is titled 'Train' on line 2, not 'Training'")]),
        BadFile(
            "non-contiguous code", [header, "A: S,A.1,T1,R,,,,,", ",A.2,T2,R,,,,,", ",A.1,T1,R,,,,,"],
            [(4, "key activity A.1 began on line 2 and comes back after other rows; keep its rows together")]),
        BadFile(
            "code in two sections", [header, "A: S,A.1,T1,R,,,,,", "B: S2,A.1,T1,R,,,,,"],
            [(3, "key activity A.1 is in section A (line 2), not in section B")]),
        BadFile(
            "bad priority", [header, "A: S,A.1,T,R,,,,,High"],
            [(2, "priority 'High' must be Yes, No or Status Quo, or blank")]),
        BadFile(
            "cell longer than 64 KiB",
            [header, "A: S,A.1,T,R,,,,\(String(repeating: "x", count: 64 * 1024 + 1)),"],
            [(2, "the comment cell is longer than 64 KiB")]),
        BadFile(
            "more cells than the header", [header, "A: S,A.1,T,R,,,,,,extra"],
            [(2, "this row has 10 cells but the header has 9")]),
        BadFile(
            "row numbers count a multi-line cell once",
            [header, "A: S,A.1,T,R,,,\"one\ntwo\nthree\",,", ",A.1,,R2,,,,,Soon"],
            [(3, "priority 'Soon' must be Yes, No or Status Quo, or blank")]),
        BadFile(
            "misplaced quote", [header, "A: S,A.1,T,R,,,,,", "A: S,A.2,T\"2\",R,,,,,"],
            [
                (
                    3,
                    "misplaced quote: a quoted cell must end at a comma or at the end of the row, and a quote inside "
                        + "a cell is written twice (\"\")"
                )
            ]),
        BadFile(
            "quoted cell never closed", [header, "A: S,A.1,T,R,,,,,", "A: S,A.2,T,\"R,,,,,", "A: S,A.3,T,R,,,,,"],
            [(3, "a quoted cell starting on this row is never closed")]),
        BadFile(
            "section without a code", [header, "Promotion,A.1,T,R,,,,,", ",A.2,T,R,,,,,"],
            [(2, "section 'Promotion' must be written 'CODE: Title', e.g. 'A: Promotion'")]),
        BadFile(
            "first section blank", [header, ",A.1,T,R,,,,,", ",A.2,T,R,,,,,"],
            [(2, "the section is blank and no row above names one (write it as 'CODE: Title')")]),
        BadFile(
            "section comes back", [header, "A: S,A.1,T,R,,,,,", "B: S2,B.1,T,R,,,,,", "A: S,A.2,T,R,,,,,"],
            [(4, "section A began on line 2 and comes back after other sections; keep its rows together")]),
        BadFile(
            "related columns without a related activity", [header, "A: S,A.1,T,,Alice,Q1,,,"],
            [(2, "the related activity is blank, but 'focal point', 'time frame' are filled in")]),
        BadFile(
            "activity code equal to a section code", [header, "A: S,A,T,R,,,,,"],
            [(2, "key activity A has the code of section A (line 2); codes must differ")]),
        BadFile(
            "every problem, in row order",
            [header, "A: S,A.1,T,R,,,,,Maybe", "A: S,,T,R,,,,,", "A: S,A.1,Other,R,,,,,", "A: S,A!,T,R,,,,,"],
            [
                (2, "priority 'Maybe' must be Yes, No or Status Quo, or blank"),
                (3, "the code is blank (every row names its key activity, e.g. 'A.1')"),
                (4, "key activity A.1 is titled 'T' on line 2, not 'Other'"),
                (5, "code 'A!' must be letters, digits and dots, starting with a letter or digit"),
            ]),
    ]

    private static let columns =
        "section, code, activity, related activity, focal point, time frame, indicators, comment, priority"
}
