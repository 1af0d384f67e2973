import ArgumentParser
import Foundation
import PlanSyncCore
import PlanSyncReplica

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
        @Option(help: "The office code, e.g. AFG.") var office: String
        @Option(help: "The period: 2017, 2017-Q1 or 2017-03.") var period: String
        @Option(help: "not-started, on-track, delayed, completed or cancelled.") var status: String
        @Option(help: "The narrative.") var text: String?
        @Option(help: "The narrative's language: en, ar, fr or es (default en).") var lang: String?
        @Option(name: .customLong("indicator"), help: "An indicator value, NAME=VALUE (repeatable).")
        var indicators: [String] = []

        func validate() throws {
            guard let normalized = Period(period) else {
                throw ValidationError("--period must be written 2017, 2017-Q1 or 2017-03, not '\(period)'")
            }
            if normalized.description != period {
                throw ValidationError("--period '\(period)' should be written \(normalized)")
            }
            guard ProgressStatus.values.contains(status) else {
                throw ValidationError("--status must be one of \(ProgressStatus.values.joined(separator: ", "))")
            }
            if let lang, !ReportLanguage.values.contains(lang) {
                throw ValidationError("--lang must be one of \(ReportLanguage.values.joined(separator: ", "))")
            }
            for indicator in indicators where Self.split(indicator) == nil {
                throw ValidationError("--indicator must be NAME=VALUE, not '\(indicator)'")
            }
        }

        static func split(_ indicator: String) -> (name: String, value: String)? {
            guard let equals = indicator.firstIndex(of: "=") else { return nil }
            let name = indicator[..<equals].trimmingCharacters(in: .whitespaces)
            let value = indicator[indicator.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            return name.isEmpty || value.isEmpty || name.contains("\n") || value.contains("\n") ? nil : (name, value)
        }

        func run() async throws {
            let replica = try replica.open()
            guard let target = try await replica.record(activity), ["activity", "related"].contains(target.collection)
            else { throw ValidationError("no activity '\(activity)' in this replica (see 'plansync list')") }
            let identity = try await replica.identity()
            let id = "\(activity)/report/\(office)/\(period)"
            let now = Date().ISO8601Format()
            let indicatorValues = indicators.compactMap(Self.split)
            if let existing = try await replica.record(id) {
                var edits: [(id: String, edit: Edit)] = [(id, .set(field: "status", value: status))]
                if let text { edits.append((id, .set(field: "narrative", value: text))) }
                if lang != nil || text != nil { edits.append((id, .set(field: "language", value: lang ?? "en"))) }
                for (name, value) in indicatorValues {
                    for element in existing.fields["indicators", default: []].map(\.value)
                    where element.hasPrefix(name + "=") && element != "\(name)=\(value)" {
                        edits.append((id, .remove(field: "indicators", element: element)))
                    }
                    edits.append((id, .add(field: "indicators", element: "\(name)=\(value)")))
                }
                edits += [
                    (id, .set(field: "reported_by", value: identity.principal.name)),
                    (id, .set(field: "reported_at", value: now)),
                ]
                try await replica.edit(edits)
                print("updated report \(id) (queued for the next sync)")
            } else {
                let new = NewRecord(
                    id: id, collection: "report",
                    values: [
                        .init("activity", activity), .init("office", office), .init("period", period),
                        .init("status", status), .init("narrative", text ?? ""),
                        .init("language", text == nil && lang == nil ? "" : lang ?? "en"),
                        .init("indicators", indicatorValues.map { "\($0.name)=\($0.value)" }.joined(separator: "\n")),
                        .init("reported_by", identity.principal.name), .init("reported_at", now),
                    ])
                try await replica.create([new])
                print("added report \(id) (queued for the next sync)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List reports, newest period first.")

        @OptionGroup var replica: ReplicaOptions
        @Option(help: "Only this office.") var office: String?
        @Option(help: "Only this period.") var period: String?
        @OptionGroup var output: OutputOptions

        struct Entry: Encodable {
            var id, activity, office, period: String
            var status: String?
            var narrative: String?
            var language: String?
            var indicators: [String]
            var approved: Bool
            var conflicts: [String]
        }

        func run() async throws {
            let records = try await replica.open().records()
            let byID = Dictionary(uniqueKeysWithValues: records.map { ($0.id, $0) })
            let entries = records.filter { $0.collection == "report" && !$0.isDeleted }.compactMap { record -> Entry? in
                func text(_ field: String) -> String? { record.value(of: field)?.text }
                guard let recordOffice = text("office"), let recordPeriod = text("period") else { return nil }
                guard office == nil || office == recordOffice, period == nil || period == recordPeriod else { return nil }
                return Entry(
                    id: record.id, activity: text("activity") ?? "", office: recordOffice, period: recordPeriod,
                    status: text("status"), narrative: text("narrative"), language: text("language"),
                    indicators: record.fields["indicators", default: []].map(\.value).sorted(),
                    approved: Approval.isApproved(byID[Approval.id(office: recordOffice, period: recordPeriod)]),
                    conflicts: record.conflictedFields())
            }.sorted { ($0.period, $0.office, $0.activity) > ($1.period, $1.office, $1.activity) }
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
            guard Period(period)?.description == period else {
                throw ValidationError("--period must be written 2017, 2017-Q1 or 2017-03, not '\(period)'")
            }
        }

        /// Writes the approval state of an office and period, creating the approval record if needed.
        func write(_ state: String, in options: ReplicaOptions) async throws {
            let replica = try options.open()
            let name = try await replica.identity().principal.name
            let id = Approval.id(office: office, period: period)
            let now = Date().ISO8601Format()
            if try await replica.record(id) != nil {
                try await replica.edit([
                    (id, .set(field: "state", value: state)), (id, .set(field: "by", value: name)),
                    (id, .set(field: "at", value: now)),
                ])
            } else {
                try await replica.create([
                    NewRecord(
                        id: id, collection: "approval",
                        values: [
                            .init("office", office), .init("period", period), .init("state", state),
                            .init("by", name), .init("at", now),
                        ])
                ])
            }
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

        @Argument(help: "The held edit's id (see 'plansync conflicts').") var id: String
        @OptionGroup var replica: ReplicaOptions

        func run() async throws {
            let replica = try replica.open()
            let held = try await HeldProposal(id, in: replica)
            var edits: [(id: String, edit: Edit)] = held.changes.sorted { $0.key < $1.key }.map {
                (held.report, .set(field: $0.key, value: $0.value))
            }
            edits.append((id, .set(field: "outcome", value: "accepted")))
            try await replica.edit(edits)
            print("accepted \(id): \(held.changes.keys.sorted().joined(separator: ", ")) of \(held.report) applied")
        }
    }

    struct Dismiss: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Dismiss an office's held edit of an approved report (central team): the report stays as approved.")

        @Argument(help: "The held edit's id (see 'plansync conflicts').") var id: String
        @OptionGroup var replica: ReplicaOptions

        func run() async throws {
            let replica = try replica.open()
            _ = try await HeldProposal(id, in: replica)
            try await replica.edit([(id, .set(field: "outcome", value: "dismissed"))])
            print("dismissed \(id); it stays on record")
        }
    }
}

extension HeldProposal {
    /// The held edit `id` of this replica, or a one-line error.
    init(_ id: String, in replica: Replica) async throws {
        guard let record = try await replica.record(id), record.collection == "held" else {
            throw ValidationError("no held edit '\(id)' in this replica (see 'plansync conflicts')")
        }
        self.init(record)
    }
}
