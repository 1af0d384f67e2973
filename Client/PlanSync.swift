import ArgumentParser
import Foundation
import PlanSyncClient
import PlanSyncCore
import PlanSyncReplica

@main
struct PlanSync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plansync",
        abstract: "Work on PlanSync plans offline, in a local replica, and sync with the server.",
        discussion: "Every command that takes --replica also reads it from $PLANSYNC_REPLICA.",
        subcommands: [
            Init.self, Sync.self, List.self, Show.self, Set.self, Add.self, Remove.self, Translate.self,
            Conflicts.self, Resolve.self, Delete.self, Status.self, Dump.self, Translations.self, Xliff.self,
        ])

    /// Runs the command; errors a person can act on print as one line, `plansync: …`, and exit 1.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let error as ReplicaError {
            fail("\(error)")
        } catch let error as SyncError {
            fail("\(error)")
        } catch {
            exit(withError: error)
        }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("plansync: \(message)\n".utf8))
        Foundation.exit(1)
    }
}

/// `--replica FILE`, or `$PLANSYNC_REPLICA`.
struct ReplicaOptions: ParsableArguments {
    @Option(help: "The replica file (default: $PLANSYNC_REPLICA).")
    var replica: String?

    var path: String {
        get throws {
            if let replica { return replica }
            if let path = ProcessInfo.processInfo.environment["PLANSYNC_REPLICA"], !path.isEmpty { return path }
            throw ValidationError("no replica: pass --replica FILE or set PLANSYNC_REPLICA")
        }
    }

    func open() throws -> Replica {
        try Replica.open(at: try path)
    }
}

/// `--json` for commands with a machine-readable form.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print JSON instead of text.") var json = false
}

extension TranslationStatus: ExpressibleByArgument {}

/// Prints a value as JSON in PlanSync's deterministic printed form.
func printJSON(_ value: some Encodable) throws {
    FileHandle.standardOutput.write(Data(try WireJSON.pretty(value).utf8))
}
