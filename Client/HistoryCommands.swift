import ArgumentParser
import Foundation
import PlanSyncCore
import PlanSyncReplica

struct Discard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Drop queued, unpushed edits of a record (or one field, or --all) and put back the server's copy.",
        discussion: """
            Prints each dropped edit as 'ID FIELD: before → queued', then drops it; nothing else changes. Edits a \
            push already sent without an answer can only be discarded after the next 'plansync sync'.
            """)

    @Argument(help: "The record id.") var id: String?
    @Argument(help: "Only this field (with --lang: its translation).") var field: String?
    @Option(help: "With FIELD: drop the queued translation into this language instead.") var lang: String?
    @Flag(help: "Drop every queued edit of every record.") var all = false
    @OptionGroup var replica: ReplicaOptions

    func validate() throws {
        if all, id != nil { throw ValidationError("pass a record id or --all, not both") }
        if !all, id == nil { throw ValidationError("pass a record id, or --all for every queued edit") }
        if lang != nil, field == nil { throw ValidationError("--lang needs a FIELD") }
    }

    func run() async throws {
        let replica = try replica.open()
        let dropped: [Discarded]
        if let id {
            let scope: DiscardScope =
                switch (field, lang) {
                case (let field?, let language?): .translation(field: field, language: language)
                case (let field?, nil): .field(field)
                default: .record
                }
            dropped = [try await replica.discard(id, scope)]
        } else {
            dropped = try await replica.discardAll()
            if dropped.isEmpty { throw ValidationError("nothing is queued; nothing was changed") }
        }
        for record in dropped {
            for change in record.changes {
                print("\(record.id) \(change.target): \(Self.quoted(change.from)) → \(Self.quoted(change.to))")
            }
        }
        print("discarded the queued edits of \(dropped.count) record(s)")
    }

    static func quoted(_ value: String?) -> String {
        value.map { "\"\($0.replacingOccurrences(of: "\n", with: "\\n"))\"" } ?? "(none)"
    }
}

struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the writes this replica knows of a record, per field and translation.",
        discussion: """
            Who wrote each value (replica id; the name for resolutions), when, and where it stands: shown, in \
            conflict, older, or superseded by an edit queued here. Older writes superseded before are not kept.
            """)

    @Argument(help: "The record id.") var id: String
    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let replica = try replica.open()
        guard let record = try await replica.record(id) else { throw ReplicaError.noRecord(id) }
        let base = try await replica.base(of: id) ?? nil
        let history = RecordHistory(record, base: base, schema: replica.schema)
        if output.json { return try printJSON(history) }
        print("\(history.id) (\(history.collection))\(history.deleted ? " — deleted" : "")")
        for target in history.targets {
            print(target.language.map { "\(target.field) [\($0)]" } ?? target.field)
            for write in target.writes {
                let status = write.status.map { " (\($0.rawValue))" } ?? ""
                print(
                    "  \(write.standing)\t\(Self.date(write.at))\t\(write.replica)#\(write.counter)\t"
                        + "\(Discard.quoted(write.value))\(status)")
                if let resolution = write.resolution {
                    let superseded = resolution.superseded.map { Discard.quoted($0) }.joined(separator: ", ")
                    print("    resolved by \(resolution.by) on \(Self.date(resolution.at)), superseding \(superseded)")
                }
            }
        }
    }

    /// A wall-clock time in milliseconds, as a person reads it: `2026-12-01 08:40:00 UTC`.
    static func date(_ milliseconds: UInt64) -> String {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000).ISO8601Format()
            .replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: " UTC")
    }
}
