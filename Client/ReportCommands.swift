import ArgumentParser
import Foundation
import PlanSyncCore
import PlanSyncReplica
import PlanSyncWorkflows

struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Field progress reports: write them offline, approve them, and build the consolidated report.",
        subcommands: [Add.self, List.self, Approve.self, Reopen.self, Accept.self, Dismiss.self, ReportBuild.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write (or update) an office's report on one activity for one period, offline.",
            discussion: """
                One report per (office, activity, period): adding one that exists edits it. Periods are written \
                2017, 2017-Q1 or 2017-03. --indicator NAME=VALUE may repeat; it replaces that indicator's value.
                """)

        @OptionGroup var replica: ReplicaOptions
        @Option(help: "The activity (or related activity) id, e.g. iasc-protection-policy/A.2.") var activity: String
        @Option(help: "The office code, e.g. AFG (default: the office of this replica's token).") var office: String?
        @Option(help: "The period: 2017, 2017-Q1 or 2017-03.") var period: String
        @Option(help: "not-started, on-track, delayed, completed or cancelled.") var status: String
        @Option(help: "The narrative.") var text: String?
        @Option(help: "The narrative's language: en, ar, fr or es (default en).") var lang: String?
        @Option(name: .customLong("indicator"), help: "An indicator value, NAME=VALUE (repeatable).")
        var indicators: [String] = []

        func validate() throws {
            // The office is looked up when the command runs; the rest is checked as the pages check it.
            do {
                _ = try draft(office: office ?? "")
            } catch {
                throw ValidationError(error.description)
            }
        }

        func run() async throws {
            let replica = try replica.open()
            let draft = try draft(office: try await ReportWrites.office(office, in: replica))
            let outcome = try await ReportWrites.write(draft, in: replica)
            print("\(outcome == .added ? "added" : "updated") report \(draft.id) (queued for the next sync)")
        }

        private func draft(office: String) throws(WorkflowError) -> ReportDraft {
            try ReportDraft.validated(
                activity: activity, office: office, period: period, status: status, narrative: text, language: lang,
                indicators: indicators)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List reports, newest period first.")

        @OptionGroup var replica: ReplicaOptions
        @Option(help: "Only this office.") var office: String?
        @Option(help: "Only this period.") var period: String?
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let entries = try await ReportSummary.all(in: replica.open(), office: office, period: period)
            if output.json { return try printJSON(entries) }
            for entry in entries {
                let approved = entry.approved ? " [approved]" : ""
                let conflict = entry.conflicts.isEmpty ? "" : " [conflict: \(entry.conflicts.joined(separator: ", "))]"
                print("\(entry.period)  \(entry.office)  \(entry.activity)  \(entry.status ?? "-")\(approved)\(conflict)")
                if let narrative = entry.narrative { print("    \(narrative.split(separator: "\n").first ?? "")") }
                if !entry.indicators.isEmpty { print("    indicators: \(entry.indicators.joined(separator: "; "))") }
            }
        }
    }

    /// `--office CODE --period P` for approve and reopen.
    struct ApprovalOptions: ParsableArguments {
        @Option(help: "The office code.") var office: String
        @Option(help: "The period: 2017, 2017-Q1 or 2017-03.") var period: String

        func validate() throws {
            do {
                _ = try Period(written: period)
            } catch {
                throw ValidationError(error.description)
            }
        }

        /// Writes the approval state of an office and period, creating the approval record if needed.
        func write(_ state: String, in options: ReplicaOptions) async throws {
            try await ReportWrites.setApproval(state, office: office, period: period, in: try options.open())
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Approve an office's reports for a period (central team): they become read-only for the office.")

        @OptionGroup var replica: ReplicaOptions
        @OptionGroup var approval: ApprovalOptions

        func run() async throws {
            try await approval.write("approved", in: replica)
            print("approved \(approval.office) \(approval.period) (queued for the next sync)")
        }
    }

    struct Reopen: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reopen an approved office and period (central team): the office can edit again.")

        @OptionGroup var replica: ReplicaOptions
        @OptionGroup var approval: ApprovalOptions

        func run() async throws {
            try await approval.write("open", in: replica)
            print("reopened \(approval.office) \(approval.period) (queued for the next sync)")
        }
    }

    struct Accept: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Accept an office's held edit of an approved report (central team): it is applied.")

        @Argument(help: "The report's id, or the held edit's when the report has several (see 'plansync conflicts').")
        var id: String
        @OptionGroup var replica: ReplicaOptions

        func run() async throws {
            let replica = try replica.open()
            let held = try await PendingHeldEdit.named(id, in: replica)
            try await held.accept(in: replica)
            let fields = held.changes.map(\.field).joined(separator: ", ")
            print("accepted \(held.id): \(fields.isEmpty ? "no change" : fields) of \(held.report) applied")
        }
    }

    struct Dismiss: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Dismiss an office's held edit of an approved report (central team): the report stays as approved.")

        @Argument(help: "The report's id, or the held edit's when the report has several (see 'plansync conflicts').")
        var id: String
        @OptionGroup var replica: ReplicaOptions

        func run() async throws {
            let replica = try replica.open()
            let held = try await PendingHeldEdit.named(id, in: replica)
            try await held.dismiss(in: replica)
            print("dismissed \(held.id); it stays on record")
        }
    }
}
