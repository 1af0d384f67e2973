import ArgumentParser
import PlanSyncCore
import PlanSyncReplica

/// `--force` and `--dry-run` for commands that bring many translations in at once (`xliff import`,
/// `material translate`): the file is checked for being the English itself, the number of changes is said
/// before anything changes, and a dry run lists them and changes nothing.
struct BulkOptions: ParsableArguments {
    @Flag(help: "Import even a file whose targets are mostly the English itself.") var force = false
    @Flag(help: "Print what would change, and change nothing.") var dryRun = false

    /// Refuses a file that is mostly untranslated (`UntranslatedFile`), unless `--force`.
    func check(_ units: [(source: String, target: String)], language: String) throws {
        guard !force, let reason = UntranslatedFile.refusal(units, language: language) else { return }
        throw ValidationError(reason)
    }

    /// Says how many edits will be made; with `--dry-run` lists them, checks them against the replica (every
    /// refusal the real run would give) and returns false: the caller stops there.
    func proceed(_ edits: [(id: String, edit: Edit)], in replica: Replica, what: String) async throws -> Bool {
        guard dryRun else {
            print("changing \(edits.count) \(what)")
            return true
        }
        for (id, edit) in edits { print("would change \(id) \(edit.target)") }
        try await replica.trial(editing: edits)
        print("would change \(edits.count) \(what); nothing was changed (--dry-run)")
        return false
    }
}
