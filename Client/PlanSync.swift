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
            Init.self, Sync.self, List.self, Show.self, SetField.self, Add.self, Remove.self, Translate.self,
            Conflicts.self, Resolve.self, Delete.self, Status.self, Dump.self, Translations.self, Xliff.self, Report.self, PlanCommand.self,
            MaterialCommand.self, Discard.self, History.self,
        ])

    /// Runs the command. Help (`--help` on any command, `help`, a group run without a subcommand) prints to
    /// stdout and exits 0; a malformed command line prints the usage; every other error prints as one line,
    /// `plansync: …`, and exits 1.
    static func main() async {
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exit(withError: error)
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as ExitCode {
            Foundation.exit(error.rawValue)
        } catch let error as ValidationError {
            fail(error.message)
        } catch let error where exitCode(for: error) == .success {
            // Argument-parser asks for help by throwing from `run()`: `help`, `--help` and a bare group do.
            exit(withError: error)
        } catch {
            fail("\(error)")
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

/// A file's text, or a one-line reason it can't be had, in a few words rather than Foundation's.
func readText(_ path: String, notUTF8 hint: String = "save it as UTF-8") throws -> String {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
        throw ValidationError("cannot read \(path): no such file")
    }
    guard !isFolder.boolValue else { throw ValidationError("cannot read \(path): it is a folder") }
    guard let data = FileManager.default.contents(atPath: path) else {
        throw ValidationError("cannot read \(path): permission denied")
    }
    guard let text = String(data: data, encoding: .utf8) else {
        throw ValidationError("cannot read \(path): not UTF-8 text (\(hint))")
    }
    return text
}

/// Writes `text` to `path`, replacing the file atomically: a failed write leaves the old file as it was.
func writeText(_ text: String, to path: String) throws {
    do {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
        throw ValidationError("cannot write \(path): \(error.localizedDescription)")
    }
}
