import Foundation

extension PlanSpreadsheet {
    /// The plan as its rows build it up, row by row: sections, their key activities and related activities,
    /// with the row each began on so that later rows can be checked against them.
    struct PlanOutline {
        struct Section {
            var code: String
            var title: String
            var line: Int
            var activities: [Activity] = []
        }

        struct Activity {
            var code: String
            var title: String
            var line: Int
            var related: [PlanDocument.Work] = []
        }

        private(set) var sections: [Section] = []
        private(set) var problems: [Problem] = []
        /// The row each section began on, to catch a section that comes back after others.
        private var sectionStarts: [String: Int] = [:]
        /// The row and section each key activity began in, to catch a code that comes back.
        private var activityStarts: [String: (line: Int, section: String)] = [:]
        /// Set after a section cell that can't be read: the rows carried down under it have no section to go
        /// to, and saying so on every one of them would bury the one real mistake.
        private var sectionUnknown = false

        /// Places one row, or records why it can't be placed. Cells are checked even when the row isn't placed.
        mutating func add(_ row: Row) {
            let section = placeSection(row)
            let code = checkedCode(row)
            let work = checkedWork(row)
            guard let section, let code, let activity = placeActivity(code, row, in: section) else { return }
            if let work { sections[section].activities[activity].related.append(work) }
        }

        /// The problems only the whole file shows; call once, after the last row.
        mutating func finish() -> [Problem] {
            // Sections and key activities share the id space `PLAN/CODE`.
            for section in sections {
                for activity in section.activities {
                    if let line = sectionStarts[activity.code] {
                        problems.append(
                            Problem(
                                line: activity.line,
                                "key activity \(activity.code) has the code of section \(activity.code) "
                                    + "(line \(line)); codes must differ"))
                    }
                }
            }
            return problems
        }

        /// The plan the rows describe; meaningful only when no problem was found.
        func document(id: String, title: String) -> PlanDocument {
            PlanDocument(
                id: id, title: title,
                sections: sections.map { section in
                    PlanDocument.Section(
                        code: section.code, title: section.title,
                        activities: section.activities.map {
                            PlanDocument.Activity(code: $0.code, title: $0.title, related: $0.related)
                        })
                })
        }

        // MARK: - Rows

        /// The index of the row's section, opening a new one when the row names it.
        private mutating func placeSection(_ row: Row) -> Int? {
            let cell = row[.section]
            guard !cell.isEmpty else {
                if sections.isEmpty, !sectionUnknown {
                    // Once: the rows after it would only repeat it.
                    problem(row, "the section is blank and no row above names one (write it as 'CODE: Title')")
                    sectionUnknown = true
                }
                return sectionUnknown || sections.isEmpty ? nil : sections.count - 1
            }
            guard let colon = cell.firstIndex(of: ":") else {
                sectionUnknown = true
                problem(row, "section \(quoted(cell)) must be written 'CODE: Title', e.g. 'A: Promotion'")
                return nil
            }
            let code = cell[..<colon].trimmingCharacters(in: .whitespaces)
            let title = cell[cell.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
            if let message = codeProblem(code, what: "section code") {
                sectionUnknown = true
                problem(row, message)
                return nil
            }
            sectionUnknown = false
            if title.isEmpty { problem(row, "section \(code) has no title after the colon") }
            if let current = sections.last, current.code == code {
                if current.title.isEmpty {
                    sections[sections.count - 1].title = title
                } else if !title.isEmpty, current.title != title {
                    problem(
                        row,
                        "section \(code) is titled \(quoted(current.title)) on line \(current.line), "
                            + "not \(quoted(title))")
                }
                return sections.count - 1
            }
            if let first = sectionStarts[code] {
                sectionUnknown = true
                problem(
                    row,
                    "section \(code) began on line \(first) and comes back after other sections; "
                        + "keep its rows together")
                return nil
            }
            sectionStarts[code] = row.line
            sections.append(Section(code: code, title: title, line: row.line))
            return sections.count - 1
        }

        private mutating func checkedCode(_ row: Row) -> String? {
            let code = row[.code]
            if code.isEmpty {
                problem(row, "the code is blank (every row names its key activity, e.g. 'A.1')")
                return nil
            }
            if let message = codeProblem(code, what: "code") {
                problem(row, message)
                return nil
            }
            return code
        }

        /// The index of the row's key activity in its section, opening a new one when the code is new.
        private mutating func placeActivity(_ code: String, _ row: Row, in section: Int) -> Int? {
            let title = row[.activity]
            let sectionCode = sections[section].code
            // The rows of a key activity are contiguous, so a known code can only continue the section's last one.
            if let last = sections[section].activities.indices.last,
                sections[section].activities[last].code == code
            {
                let current = sections[section].activities[last]
                if current.title.isEmpty {
                    sections[section].activities[last].title = title
                } else if !title.isEmpty, current.title != title {
                    problem(
                        row,
                        "key activity \(code) is titled \(quoted(current.title)) on line \(current.line), "
                            + "not \(quoted(title))")
                }
                return last
            }
            if let start = activityStarts[code] {
                if start.section != sectionCode {
                    problem(
                        row,
                        "key activity \(code) is in section \(start.section) (line \(start.line)), "
                            + "not in section \(sectionCode)")
                } else {
                    problem(
                        row,
                        "key activity \(code) began on line \(start.line) and comes back after other rows; "
                            + "keep its rows together")
                }
                return nil
            }
            if title.isEmpty {
                problem(row, "key activity \(code) has no title: fill in the activity column on its first row")
            }
            activityStarts[code] = (row.line, sectionCode)
            sections[section].activities.append(Activity(code: code, title: title, line: row.line))
            return sections[section].activities.count - 1
        }

        /// The row's related activity; nil when the row only declares its key activity, or has a problem.
        private mutating func checkedWork(_ row: Row) -> PlanDocument.Work? {
            let filled = Column.relatedActivity.filter { !row[$0].isEmpty }
            guard !filled.isEmpty else { return nil }
            var valid = true
            if row[.related].isEmpty {
                let names = filled.map { "'\($0.rawValue)'" }.joined(separator: ", ")
                let verb = filled.count == 1 ? "is" : "are"
                problem(row, "the related activity is blank, but \(names) \(verb) filled in")
                valid = false
            }
            let priority = Self.priorities[row[.priority].lowercased()]
            if !row[.priority].isEmpty, priority == nil {
                problem(row, "priority \(quoted(row[.priority])) must be Yes, No or Status Quo, or blank")
                valid = false
            }
            guard valid else { return nil }
            return PlanDocument.Work(
                title: row[.related], priority: priority, focalPoints: Self.list(row[.focalPoint]),
                timeFrame: row[.timeFrame].isEmpty ? nil : row[.timeFrame], indicators: Self.list(row[.indicators]),
                comment: row[.comment].isEmpty ? nil : row[.comment])
        }

        private mutating func problem(_ row: Row, _ message: String) {
            problems.append(Problem(line: row.line, message))
        }

        // MARK: - Cells

        /// The spellings of a priority a spreadsheet may use, and the value stored for each.
        static let priorities = ["yes": "yes", "no": "no", "status quo": "status-quo", "status-quo": "status-quo"]

        /// A list cell's elements: one per line, or separated by " ; " on a line; blanks and repeats dropped.
        static func list(_ cell: String) -> [String]? {
            var elements: [String] = []
            for line in cell.split(whereSeparator: \.isNewline) {
                for part in line.components(separatedBy: " ; ") {
                    let element = part.trimmingCharacters(in: .whitespaces)
                    if !element.isEmpty, !elements.contains(element) { elements.append(element) }
                }
            }
            return elements.isEmpty ? nil : elements
        }
    }
}
