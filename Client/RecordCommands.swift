import ArgumentParser
import Foundation
import PlanSyncCore
import PlanSyncReplica
import PlanSyncWorkflows

struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the records' ids, collections and titles: plans first, then reports, then materials.")

    @OptionGroup var replica: ReplicaOptions
    @Option(help: "Only this collection, e.g. plan, section, activity, related, report, material.")
    var collection: String?
    @Option(help: "Only this plan's (or material's) records, e.g. iasc-protection-policy.") var plan: String?
    @Flag(help: "Include deleted records.") var deleted = false
    @OptionGroup var output: OutputOptions

    struct Entry: Encodable {
        var id: String
        var collection: String
        var title: String
        var deleted: Bool
    }

    func run() async throws {
        let replica = try replica.open()
        if let collection, replica.schema.collection(collection) == nil {
            let names = replica.schema.collections.map(\.name).joined(separator: ", ")
            throw ValidationError("no collection '\(collection)': use one of \(names)")
        }
        // Read from the columns kept beside each record: a listing decodes no record's JSON.
        let records = try await replica.summaries(prefix: plan)
        // The schema's order (plan, section, activity, related, report, …, material, segment), plan records
        // together in id order so each plan's outline reads top-down.
        let order = replica.schema.collections.map(\.name)
        let ranks = Dictionary(order.enumerated().map { ($1, $0) }) { first, _ in first }
        func rank(_ record: RecordSummary) -> Int {
            PlanOutline.contains(collection: record.collection) ? 0 : ranks[record.collection] ?? order.count
        }
        let entries =
            records
            .filter { (deleted || !$0.deleted) && (collection == nil || $0.collection == collection) }
            .map { record in
                let entry = Entry(
                    id: record.id, collection: record.collection, title: record.title, deleted: record.deleted)
                return (rank: rank(record), entry: entry)
            }
            .sorted { ($0.rank, $0.entry.id) < ($1.rank, $1.entry.id) }
            .map(\.entry)
        if output.json { return try printJSON(entries) }
        var out = StandardOutput()
        for entry in entries {
            out.write("\(entry.id)\t\(entry.collection)\t\(Self.firstLine(entry.title))")
            out.write(entry.deleted ? " (deleted)\n" : "\n")
        }
        out.flush()
    }
}

extension List {
    /// The first non-blank line of a title, as `split(whereSeparator: \.isNewline).first` gives it; a title
    /// with no line-breaking byte at all (the usual case) is returned as it is, without walking its characters.
    static func firstLine(_ title: String) -> String {
        // Every character `isNewline` accepts has a byte 0A–0D, C2 (U+0085) or E2 (U+2028, U+2029).
        let mayBreak = title.utf8.contains { (0x0A...0x0D).contains($0) || $0 == 0xC2 || $0 == 0xE2 }
        guard mayBreak else { return title }
        return title.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
    }
}

struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show one record: its fields, conflicts, and (with --lang) its translations.")

    @Argument(help: "The record id, e.g. iasc-protection-policy/A.1.") var id: String
    @OptionGroup var replica: ReplicaOptions
    @Option(help: "Show translatable fields in ar, fr or es (English where no translation exists).") var lang: String?
    @OptionGroup var output: OutputOptions

    func validate() throws { try validateLanguage(lang) }

    func run() async throws {
        let replica = try replica.open()
        guard let record = try await replica.record(id) else { throw await unknownRecord(id, in: replica) }
        let view = RecordView(record, language: lang, schema: replica.schema)
        if output.json { return try printJSON(view) }
        print(view.text)
    }
}

struct Dump: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the canonical state of every record: byte-identical on replicas that saw the same changes.")

    @OptionGroup var replica: ReplicaOptions
    @Flag(help: "Print JSON (the only format).") var json = false

    func run() async throws {
        // Streamed as it is made, a batch of records at a time: a big replica's dump is never whole in memory.
        try await replica.open().dump { chunk in FileHandle.standardOutput.write(Data(chunk)) }
    }
}

struct Conflicts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List what waits for a decision: fields and translations with concurrent values, and held edits.")

    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let entries = try await OpenDecision.all(in: replica.open())
        if output.json { return try printJSON(entries) }
        if entries.isEmpty { return print("no conflicts") }
        for entry in entries {
            if let held = entry.held {
                print(
                    "\(entry.id): held edit \(held) of an approved report "
                        + "(accept or dismiss with 'plansync report accept|dismiss')")
                let changes = entry.changes ?? []
                if changes.isEmpty { print("  (no field differs from the report as it stands)") }
                for change in changes {
                    print("  \(change.field): \(Self.line(change.approved)) → \(Self.line(change.proposed))")
                }
                continue
            }
            let candidates = entry.candidates ?? []
            let target = entry.language.map { "\(entry.field ?? "") [\($0)]" } ?? entry.field ?? ""
            print("\(entry.id) \(target): \(candidates.count) candidates (showing the first)")
            for candidate in candidates { print("  - \(candidate.replacingOccurrences(of: "\n", with: "\n    "))") }
        }
    }

    /// A value on one line: a list's elements joined by "; ", and blank as "(blank)".
    private static func line(_ value: String) -> String {
        value.isEmpty ? "(blank)" : value.split(whereSeparator: \.isNewline).joined(separator: "; ")
    }
}
