import ArgumentParser
import Foundation
import PlanSyncCore
import PlanSyncMaterials
import PlanSyncReplica
import PlanSyncWorkflows

/// Applies one edit to the replica (offline) and says what it did.
func applyEdit(_ edit: Edit, to id: String, in options: ReplicaOptions, done: String) async throws {
    let replica = try options.open()
    if let record = try await replica.record(id) {
        do {
            try MaterialText.check(edit, record: id, collection: record.collection)
        } catch {
            throw ValidationError("\(error); nothing was changed")
        }
    }
    do {
        try await replica.edit(id, edit)
    } catch let error as ReplicaError where error.kind == .noRecord {
        throw await unknownRecord(id, in: replica)
    }
    print("\(done) (queued for the next sync)")
}

struct SetField: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Edit one field offline. For a list field, VALUE is the whole list, one element per line.",
        discussion: "On a field in conflict, the new value supersedes every candidate this replica has seen.")

    @Argument(help: "The record id.") var id: String
    @Argument(help: "The field, e.g. comment, status, focal_points.") var field: String
    @Argument(help: "The new value.") var value: String
    @OptionGroup var replica: ReplicaOptions

    func run() async throws {
        try await applyEdit(.set(field: field, value: value), to: id, in: replica, done: "set \(id) \(field)")
    }
}

struct Add: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Add one element to a list field offline.")

    @Argument var id: String
    @Argument var field: String
    @Argument var element: String
    @OptionGroup var replica: ReplicaOptions

    func run() async throws {
        try await applyEdit(.add(field: field, element: element), to: id, in: replica, done: "added to \(id) \(field)")
    }
}

struct Remove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove one element from a list field offline (an add made concurrently elsewhere wins).")

    @Argument var id: String
    @Argument var field: String
    @Argument var element: String
    @OptionGroup var replica: ReplicaOptions

    func run() async throws {
        try await applyEdit(
            .remove(field: field, element: element), to: id, in: replica, done: "removed from \(id) \(field)")
    }
}

struct Translate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the translation of one field offline; it records the English it was made from.")

    @Argument var id: String
    @Argument var field: String
    @Option(help: "ar, fr or es; en for a report narrative written in another language.") var lang: String
    @Argument var text: String
    @Option(help: "draft, translated or approved.") var status: TranslationStatus = .translated
    @OptionGroup var replica: ReplicaOptions

    func run() async throws {
        try await applyEdit(
            .translate(field: field, language: lang, text: text, status: status), to: id, in: replica,
            done: "translated \(id) \(field) into \(lang)")
    }
}

struct Resolve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Settle a conflict: the value supersedes every candidate, and the resolution is recorded.",
        discussion: """
            With --lang, settles concurrent translations of the field into that language instead (translators of \
            that language may): the text supersedes every candidate translation in it.
            """)

    @Argument var id: String
    @Argument var field: String
    @Option(help: "Settle the field's translations into this language.") var lang: String?
    @Option(help: "With --lang: draft, translated or approved.") var status: TranslationStatus = .translated
    @Argument var value: String
    @OptionGroup var replica: ReplicaOptions

    func run() async throws {
        let replica = try replica.open()
        do {
            try await OpenDecision.resolve(id, field: field, language: lang, value: value, status: status, in: replica)
        } catch let error as ReplicaError where error.kind == .noRecord {
            throw await unknownRecord(id, in: replica)
        }
        let done = lang.map { "resolved the \($0) translation of \(id) \(field)" } ?? "resolved \(id) \(field)"
        print("\(done) (queued for the next sync)")
    }
}

struct Delete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Delete a record and what it contains (tombstones: an edit made concurrently elsewhere brings "
            + "that record back).",
        discussion: """
            A plan is deleted with its sections, key activities and related activities; a section with its key \
            activities and theirs; a key activity with its related activities. Reports stay: they are the \
            offices' record of the work. All in one transaction.
            """)

    @Argument var id: String
    @Flag(help: "Say what would be deleted, and delete nothing.") var dryRun = false
    @OptionGroup var replica: ReplicaOptions

    func run() async throws {
        let replica = try replica.open()
        let deletion = try await Deletion.of(id, in: replica)
        if dryRun { return print("would delete \(deletion.summary)") }
        try await deletion.run(in: replica)
        print("deleted \(deletion.summary) (queued for the next sync)")
    }
}
