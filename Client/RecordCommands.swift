import ArgumentParser
import Foundation
import PlanSyncCore
import PlanSyncReplica

struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the records' ids and titles.")

    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var output: OutputOptions

    struct Entry: Encodable {
        var id: String
        var collection: String
        var title: String
        var deleted: Bool
    }

    func run() async throws {
        let records = try await replica.open().records()
        let entries = records.map {
            Entry(id: $0.id, collection: $0.collection, title: $0.title(), deleted: $0.isDeleted)
        }
        if output.json { return try printJSON(entries) }
        for entry in entries {
            let title = entry.title.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            print("\(entry.id)\t\(title)\(entry.deleted ? " (deleted)" : "")")
        }
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
        FileHandle.standardOutput.write(Data(try await replica.open().dump().utf8))
    }
}

struct Conflicts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List fields (and translations) with concurrent values waiting to be resolved.")

    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var output: OutputOptions

    struct Entry: Encodable {
        var id: String
        var field: String
        var language: String?
        var value: String
        var candidates: [String]
        /// For an office's edit of an approved report: the held edit to accept or dismiss.
        var held: String?
    }

    func run() async throws {
        let replica = try replica.open()
        var entries: [Entry] = []
        let records = try await replica.recordsAwaitingDecisions()
        for record in records where record.collection == "held" && !record.isDeleted {
            let held = HeldProposal(record)
            guard held.pending else { continue }
            for (field, proposed) in held.changes.sorted(by: { $0.key < $1.key }) {
                let current = try await replica.record(held.report)?.value(of: field)?.text ?? ""
                entries.append(
                    Entry(id: held.report, field: field, value: current, candidates: [current, proposed], held: record.id))
            }
        }
        for record in records {
            for field in record.conflictedFields(schema: replica.schema) {
                let candidates = record.conflict(of: field, schema: replica.schema)
                entries.append(Entry(id: record.id, field: field, value: candidates[0], candidates: candidates))
            }
            for (language, field) in record.conflictedTranslations(schema: replica.schema) {
                guard let view = record.translation(of: field, language: language, schema: replica.schema) else { continue }
                entries.append(
                    Entry(id: record.id, field: field, language: language, value: view.text, candidates: view.candidates))
            }
        }
        if output.json { return try printJSON(entries) }
        if entries.isEmpty { return print("no conflicts") }
        for entry in entries {
            if let held = entry.held {
                print("\(entry.id) \(entry.field): held edit \(held) of an approved report (accept or dismiss with 'plansync report accept|dismiss')")
                print("  approved: \(entry.candidates[0])\n  proposed: \(entry.candidates[1])")
                continue
            }
            let target = entry.language.map { "\(entry.field) [\($0)]" } ?? entry.field
            print("\(entry.id) \(target): \(entry.candidates.count) candidates (showing the first)")
            for candidate in entry.candidates { print("  - \(candidate.replacingOccurrences(of: "\n", with: "\n    "))") }
        }
    }
}
