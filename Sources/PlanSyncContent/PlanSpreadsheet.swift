import Foundation
import PlanSyncCore
import SwiftCSV

/// A plan read from a spreadsheet exported as CSV.
///
/// One row per related activity, under its key activity (`code`, `activity`) and its section (`CODE: Title`,
/// carried down when left blank). docs/plan-import.md describes the columns for the people who fill them in.
public enum PlanSpreadsheet {
    /// Parses CSV text into a plan document, or throws `PlanSpreadsheetError` listing every bad row.
    ///
    /// `file` names the spreadsheet in the error's first line. A file with any problem gives no document, so
    /// an import is all or nothing.
    ///
    /// The cells are separated by `delimiter`, or when it is nil by what the header row uses: a semicolon when
    /// it has more semicolons than commas (French and Spanish Excel write CSV so), a tab likewise, else a comma.
    public static func document(
        csv: String, plan id: String, title: String, file: String = "the spreadsheet", delimiter: Character? = nil
    ) throws(PlanSpreadsheetError) -> PlanDocument {
        var problems = checkPlan(id: id, title: title)
        let (table, readProblem) = readTable(csv, delimiter: delimiter ?? detectedDelimiter(csv))
        if let readProblem { problems.append(readProblem) }
        var outline = PlanOutline()
        if let header = table.first {
            let columns = ColumnIndex(header)
            problems += columns.problems
            if columns.isUsable {
                var rowCount = 0
                for (index, cells) in table.enumerated().dropFirst() {
                    let (row, rowProblems) = columns.row(cells, line: index + 1)
                    problems += rowProblems
                    if let row {
                        outline.add(row)
                        rowCount += 1
                    }
                }
                problems += outline.finish()
                if rowCount == 0, readProblem == nil {
                    problems.append(Problem(line: nil, "no plan rows under the header"))
                }
            }
        } else if readProblem == nil {
            problems.append(Problem(line: nil, "the file is empty"))
        }
        guard problems.isEmpty else {
            throw PlanSpreadsheetError(file: file, problems: ordered(problems))
        }
        return outline.document(id: id, title: clean(title))
    }

    typealias Problem = PlanSpreadsheetError.Problem

    /// The longest plan id and code, in bytes: with them, `PLAN/CODE/N` stays well under `Limits.maxIDBytes`.
    static let maxIDPartBytes = 64

    // MARK: - Reading

    /// The cell separators `document` takes, and the names they are given by.
    public static let delimiters: [(name: String, character: Character)] = [
        ("comma", ","), ("semicolon", ";"), ("tab", "\t"),
    ]

    /// The separator the header row (the text up to the first line end outside quotes) uses most.
    static func detectedDelimiter(_ csv: String) -> Character {
        var counts: [Character: Int] = [:]
        var quoted = false
        for character in csv {
            if character == "\"" { quoted.toggle() }
            if !quoted, character == "\n" || character == "\r\n" || character == "\r" { break }
            if !quoted, delimiters.contains(where: { $0.character == character }) { counts[character, default: 0] += 1 }
        }
        let best = delimiters.max { counts[$0.character, default: 0] < counts[$1.character, default: 0] }
        return counts[best?.character ?? ",", default: 0] > counts[",", default: 0] ? best!.character : ","
    }

    /// The rows of the CSV text, header first; a quoting mistake ends the table at the row it is in.
    static func readTable(_ csv: String, delimiter: Character = ",") -> (rows: [[String]], problem: Problem?) {
        var rows: [[String]] = []
        do {
            // Only the header is parsed here; enumerating hands the rows over one at a time, so the rows before
            // a quoting mistake are kept and its row number is known.
            let table = try EnumeratedCSV(
                string: csv, delimiter: .character(delimiter), loadColumns: false, rowLimit: 0)
            try table.enumerateAsArray(startAt: 0, rowLimit: nil) { rows.append($0) }
        } catch {
            let name = delimiters.first { $0.character == delimiter }?.name ?? "separator"
            let message =
                "misplaced quote: a quoted cell must end at a \(name) or at the end of the row, and a quote inside "
                + "a cell is written twice (\"\")"
            return (rows, Problem(line: rows.count + 1, message))
        }
        // SwiftCSV runs a quoted cell that is never closed on to the end of the file without complaint. Quotes
        // come in pairs in any CSV it parses otherwise, so an odd count means exactly that.
        if csv.utf8.count(where: { $0 == UInt8(ascii: "\"") }) % 2 == 1 {
            return (rows, Problem(line: max(rows.count, 1), "a quoted cell starting on this row is never closed"))
        }
        if rows.allSatisfy({ $0.allSatisfy { clean($0).isEmpty } }) { rows = [] }
        return (rows, nil)
    }

    /// A cell as stored: Windows and old Mac line ends inside it become `\n`, and surrounding space goes.
    static func clean(_ cell: String) -> String {
        // Most cells have neither: handed back as they are, without walking their characters (a fifth of a large
        // plan's import went into walking them).
        guard let first = cell.unicodeScalars.first, let last = cell.unicodeScalars.last else { return "" }
        let space = CharacterSet.whitespacesAndNewlines
        if !space.contains(first), !space.contains(last), !cell.utf8.contains(UInt8(ascii: "\r")) { return cell }
        return String(cell.map { $0 == "\r\n" || $0 == "\r" ? "\n" : $0 }).trimmingCharacters(in: space)
    }

    // MARK: - Checks

    static func checkPlan(id: String, title: String) -> [Problem] {
        var problems: [Problem] = []
        if let problem = PlanID.problem(id) { problems.append(Problem(line: nil, problem)) }
        if clean(title).isEmpty {
            problems.append(Problem(line: nil, "the plan title is blank"))
        } else if title.utf8.count > Limits.maxTextBytes {
            problems.append(Problem(line: nil, "the plan title is longer than 64 KiB"))
        }
        return problems
    }

    /// What is wrong with a section or key activity code, or nil: it must be usable as one segment of a record
    /// id, so letters, digits and dots, starting with a letter or digit.
    static func codeProblem(_ code: String, what: String) -> String? {
        func isLetterOrDigit(_ scalar: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
        }
        guard let first = code.unicodeScalars.first, isLetterOrDigit(first),
            code.unicodeScalars.allSatisfy({ isLetterOrDigit($0) || $0 == "." })
        else { return "\(what) \(quoted(code)) must be letters, digits and dots, starting with a letter or digit" }
        guard code.utf8.count <= maxIDPartBytes else {
            return "\(what) \(quoted(code)) is longer than \(maxIDPartBytes) characters"
        }
        return nil
    }

    /// A value for a message: one line, at most 60 characters, in quotes.
    static func quoted(_ value: String) -> String {
        let line = value.map { $0.isNewline ? " " : $0 }
        return "'" + String(line.prefix(60)) + (line.count > 60 ? "…'" : "'")
    }

    /// Problems about the whole file first, then by row; problems on one row keep the order they were found in.
    private static func ordered(_ problems: [Problem]) -> [Problem] {
        problems.enumerated()
            .sorted { ($0.element.line ?? 0, $0.offset) < ($1.element.line ?? 0, $1.offset) }
            .map(\.element)
    }
}

// MARK: - Columns

extension PlanSpreadsheet {
    /// The columns of a plan spreadsheet, by their header names (matched trimmed and case-insensitively).
    enum Column: String, CaseIterable {
        case section, code, activity
        case related = "related activity", focalPoint = "focal point", timeFrame = "time frame"
        case indicators, comment, priority

        /// The columns a plan can't do without; a plan of key activities only may leave out the rest.
        static let required: [Column] = [.section, .code, .activity]
        /// The columns of one related activity: a row with all of them blank only declares its key activity.
        static let relatedActivity: [Column] = [.related, .focalPoint, .timeFrame, .indicators, .comment, .priority]
        /// Every column name, for messages.
        static let names = allCases.map(\.rawValue).joined(separator: ", ")
    }

    /// One spreadsheet row with its cells by column, cleaned; a column the header lacks reads as blank.
    struct Row {
        let line: Int
        let cells: [Column: String]

        subscript(_ column: Column) -> String { cells[column] ?? "" }
    }

    /// Where each column is in the header, and what is wrong with the header.
    struct ColumnIndex {
        private(set) var positions: [Column: Int] = [:]
        private(set) var problems: [Problem] = []
        /// Header cells left blank: Excel writes them for formatted but empty columns.
        private var unnamed: [Int] = []
        private let width: Int

        /// Whether rows can be read: the header names every required column.
        var isUsable: Bool { !positions.isEmpty && Column.required.allSatisfy { positions[$0] != nil } }

        init(_ header: [String]) {
            width = header.count
            let names = header.map { PlanSpreadsheet.clean($0).lowercased() }
            // A first row naming no column at all is data: one problem says so, rather than one per cell.
            guard names.contains(where: { Column(rawValue: $0) != nil }) else {
                problems.append(
                    Problem(line: 1, "no header row: the first row must name the columns (\(Column.names))"))
                return
            }
            var unknown: [String] = []
            var duplicates: [String] = []
            for (index, name) in names.enumerated() {
                if name.isEmpty {
                    unnamed.append(index)
                } else if let column = Column(rawValue: name) {
                    if positions[column] == nil {
                        positions[column] = index
                    } else if !duplicates.contains(name) {
                        duplicates.append(name)
                    }
                } else {
                    unknown.append(PlanSpreadsheet.quoted(PlanSpreadsheet.clean(header[index])))
                }
            }
            if !unknown.isEmpty {
                let noun = unknown.count == 1 ? "column" : "columns"
                let names = unknown.joined(separator: ", ")
                problems.append(Problem(line: 1, "unknown \(noun) \(names) (the columns are \(Column.names))"))
            }
            for name in duplicates {
                problems.append(Problem(line: 1, "column '\(name)' appears more than once"))
            }
            for column in Column.required where positions[column] == nil {
                problems.append(Problem(line: 1, "missing column '\(column.rawValue)'"))
            }
        }

        /// The row's cells by column, or nil for a blank row; and what is wrong with its cells.
        func row(_ cells: [String], line: Int) -> (row: Row?, problems: [Problem]) {
            let cleaned = cells.map(PlanSpreadsheet.clean)
            guard cleaned.contains(where: { !$0.isEmpty }) else { return (nil, []) }
            var problems: [Problem] = []
            if cells.count > width {
                problems.append(Problem(line: line, "this row has \(cells.count) cells but the header has \(width)"))
            }
            for index in unnamed where index < cleaned.count && !cleaned[index].isEmpty {
                problems.append(Problem(line: line, "column \(index + 1) has a value but no name in the header"))
            }
            var values: [Column: String] = [:]
            for column in Column.allCases {
                guard let index = positions[column], index < cleaned.count else { continue }
                if cleaned[index].utf8.count > Limits.maxTextBytes {
                    problems.append(Problem(line: line, "the \(column.rawValue) cell is longer than 64 KiB"))
                }
                values[column] = cleaned[index]
            }
            return (Row(line: line, cells: values), problems)
        }
    }
}

// MARK: - Errors

/// Why a spreadsheet could not be imported: every problem found, each on its spreadsheet row.
public struct PlanSpreadsheetError: Error, CustomStringConvertible, Sendable {
    /// One problem, on a spreadsheet row (the header is row 1; a cell spanning lines is still one row), or on
    /// the file or the plan as a whole when `line` is nil.
    public struct Problem: Hashable, Sendable, CustomStringConvertible {
        public var line: Int?
        public var message: String

        public init(line: Int?, _ message: String) {
            self.line = line
            self.message = message
        }

        public var description: String { line.map { "line \($0): \(message)" } ?? message }
    }

    /// The file, as the first line names it.
    public var file: String
    /// Every problem found: those of the whole file first, then by row.
    public var problems: [Problem]

    public init(file: String, problems: [Problem]) {
        self.file = file
        self.problems = problems
    }

    /// "N problems in FILE; nothing was imported", then one line per problem.
    public var description: String {
        let count = problems.count == 1 ? "1 problem" : "\(problems.count) problems"
        return (["\(count) in \(file); nothing was imported"] + problems.map(\.description)).joined(separator: "\n")
    }
}
