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
        version: PlanSyncVersion.client,
        subcommands: [
            Init.self, Sync.self, List.self, Show.self, SetField.self, Add.self, Remove.self, Translate.self,
            Conflicts.self, Resolve.self, Delete.self, Status.self, Dump.self, Translations.self, Xliff.self,
            Report.self, PlanCommand.self,
            MaterialCommand.self, Discard.self, History.self, BundleCommand.self, UI.self,
        ])

    /// Runs the command. Help (`--help` on any command, `help`, a group run without a subcommand) prints to
    /// stdout and exits 0. Every error prints as one line on stderr, `plansync: …`, and exits with a status of
    /// `ExitStatus` (a malformed command line 64, with a pointer to the command's `--help`).
    static func main() async {
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch let error where exitCode(for: error) == .success {
            exit(withError: error)
        } catch {
            let status = exitCode(for: error).rawValue
            fail(Failure(status == 1 ? ExitStatus.usage : status, message(for: error) + usageHint()))
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as ExitCode {
            Foundation.exit(error.rawValue)
        } catch let error where exitCode(for: error) == .success {
            // Argument-parser asks for help by throwing from `run()`: `help`, `--help` and a bare group do.
            exit(withError: error)
        } catch {
            fail(Failure(error))
        }
    }

    /// Prints the failure as one line and exits with its status.
    static func fail(_ failure: Failure) -> Never {
        let line = failure.message.split(whereSeparator: \.isNewline).joined(separator: "; ")
        FileHandle.standardError.write(Data("plansync: \(line)\n".utf8))
        Foundation.exit(failure.status)
    }

    /// ` (see 'plansync material add --help')`: the help of the deepest command the arguments name.
    static func usageHint() -> String {
        var path = ["plansync"]
        var command: any ParsableCommand.Type = PlanSync.self
        for argument in CommandLine.arguments.dropFirst() where !argument.hasPrefix("-") {
            let next = command.configuration.subcommands.first { $0._commandName == argument }
            guard let next else { break }
            path.append(argument)
            command = next
        }
        return " (see '\(path.joined(separator: " ")) --help')"
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
            throw Failure(ExitStatus.usage, "no replica: pass --replica FILE or set PLANSYNC_REPLICA")
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
    let data = try readData(path)
    guard let text = String(data: data, encoding: .utf8) else {
        throw Failure(ExitStatus.dataRefused, "cannot read \(path): not UTF-8 text (\(hint))")
    }
    return text
}

/// A file's bytes, or a one-line reason they can't be had (exit status 66).
func readData(_ path: String) throws -> Data {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
        throw Failure(ExitStatus.noInput, "cannot read \(path): no such file")
    }
    guard !isFolder.boolValue else { throw Failure(ExitStatus.noInput, "cannot read \(path): it is a folder") }
    guard let data = FileManager.default.contents(atPath: path) else {
        throw Failure(ExitStatus.noInput, "cannot read \(path): permission denied")
    }
    return data
}

/// Writes `text` to `path`, replacing the file atomically: a failed write leaves the old file as it was.
func writeText(_ text: String, to path: String) throws {
    do {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
        throw Failure(ExitStatus.cannotCreate, "cannot write \(path): \(writeFailure(at: path))")
    }
}

/// A file written in pieces beside its destination and moved over it at the end, so that a long export
/// replaces the old file atomically (like `writeText`) without being whole in memory first.
struct ReplacementFile: Sendable {
    let path: String
    private let temporary: String
    private let handle: FileHandle

    /// Starts the file, or fails as `writeText` would (exit status 73, and why).
    init(replacing path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString.prefix(8)).tmp").path
        guard FileManager.default.createFile(atPath: temporary, contents: nil),
            let handle = FileHandle(forWritingAtPath: temporary)
        else {
            throw Failure(ExitStatus.cannotCreate, "cannot write \(path): \(writeFailure(at: path))")
        }
        (self.path, self.temporary, self.handle) = (path, temporary, handle)
    }

    func write(_ text: String) throws {
        do {
            try handle.write(contentsOf: Data(text.utf8))
        } catch {
            throw Failure(ExitStatus.cannotCreate, "cannot write \(path): \(writeFailure(at: path))")
        }
    }

    /// Puts the file in place of the destination.
    func commit() throws {
        try? handle.close()
        guard rename(temporary, path) == 0 else {
            let reason = writeFailure(at: path)
            discard()
            throw Failure(ExitStatus.cannotCreate, "cannot write \(path): \(reason)")
        }
    }

    /// Removes what was written; the destination stays as it was.
    func discard() {
        try? handle.close()
        try? FileManager.default.removeItem(atPath: temporary)
    }
}

/// Why a file cannot be written there, in a few words rather than Foundation's.
func writeFailure(at path: String) -> String {
    let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
    var isFolder: ObjCBool = false
    if !FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) { return "no folder \(folder)" }
    if !isFolder.boolValue { return "\(folder) is not a folder" }
    if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
        return "it is a folder"
    }
    if !FileManager.default.isWritableFile(atPath: folder) { return "permission denied" }
    return "the disk refused the write (full?)"
}
