import ArgumentParser
import Foundation
import PlanSyncContent
import PlanSyncCore
import PlanSyncReplica

/// `plansync plan …`: whole plans, as a central team brings them in.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Bring whole plans into the replica.",
        subcommands: [Import.self])

    /// `plansync plan import`: a new plan from a spreadsheet, created offline and queued for the next sync.
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Create a new plan from a spreadsheet saved as CSV (UTF-8, comma- or semicolon-separated).",
            discussion: """
                One row per related activity. The header names the columns, in any order: section, code, \
                activity, related activity, focal point, time frame, indicators, comment, priority. \
                The whole file is checked first; if any row is wrong, every problem is listed with its row \
                number and nothing is imported. See docs/plan-import.md for the layout and an example. \
                Creating a plan needs an admin token.
                """)

        @Option(help: ArgumentHelp("The spreadsheet, saved as CSV.", valueName: "file")) var csv: String
        @Option(help: ArgumentHelp("The new plan's id: lowercase letters, digits and dashes.", valueName: "id"))
        var plan: String
        @Option(help: "The new plan's title.") var title: String
        @Option(
            help: ArgumentHelp(
                "What separates the cells: comma, semicolon or tab.",
                discussion: "Without it, what the header row uses most (French and Spanish Excel write semicolons)."))
        var delimiter: String?
        @OptionGroup var replica: ReplicaOptions
        @Flag(help: "Check the file and print what would be imported, and change nothing.") var dryRun = false

        func validate() throws {
            if let delimiter, Self.separator(delimiter) == nil {
                throw ValidationError(
                    "--delimiter: expected comma, semicolon or tab (or , ; and \\t), not '\(delimiter)'")
            }
        }

        /// The separator a `--delimiter` value names, by name or as the character itself.
        static func separator(_ value: String) -> Character? {
            PlanSpreadsheet.delimiters.first {
                value == $0.name || value == String($0.character) || value == "\\t" && $0.name == "tab"
            }?
            .character
        }

        func run() async throws {
            // Checked before the file is read, in run() rather than validate(): one line, without the usage.
            if let problem = PlanID.problem(plan) { throw ValidationError(problem) }
            let text = try readText(csv, notUTF8: "save the spreadsheet as 'CSV UTF-8'")
            let document: PlanDocument
            do {
                document = try PlanSpreadsheet.document(
                    csv: text, plan: plan, title: title, file: csv, delimiter: delimiter.flatMap(Self.separator))
            } catch {
                // Every problem on its own line, so the rows can be fixed in one pass.
                try Self.fail("\(error)")
            }
            if dryRun {
                try await replica.open().trial(creating: document.newRecords, editing: [])
            } else {
                try await replica.open().create(document.newRecords)
            }
            let activities = document.sections.flatMap(\.activities)
            let related = activities.reduce(0) { $0 + $1.related.count }
            print(
                (dryRun ? "would import " : "imported ")
                    + "\(document.id): \(Self.count(document.sections.count, "section")), "
                    + "\(Self.count(activities.count, "activity", "activities")), "
                    + "\(Self.count(related, "related activity", "related activities"))"
                    + (dryRun ? "; nothing was changed (--dry-run)" : " (queued for the next sync)"))
        }

        /// Says why the import stopped, `plansync: …` on stderr, and exits 65 (data refused) — without the usage text that
        /// `ValidationError` brings, since the command line itself was fine.
        private static func fail(_ message: String) throws -> Never {
            FileHandle.standardError.write(Data("plansync: \(message)\n".utf8))
            throw ExitCode(ExitStatus.dataRefused)
        }

        private static func count(_ number: Int, _ one: String, _ many: String? = nil) -> String {
            "\(number) \(number == 1 ? one : many ?? one + "s")"
        }
    }
}
