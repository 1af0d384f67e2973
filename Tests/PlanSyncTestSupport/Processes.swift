import Foundation
import Synchronization

/// Where the built `plansync` and `plansync-server` binaries are: beside the test bundle, or in
/// `$PLANSYNC_BIN_DIR`.
public enum Binaries {
    public static var directory: URL {
        if let dir = ProcessInfo.processInfo.environment["PLANSYNC_BIN_DIR"] { return URL(fileURLWithPath: dir) }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    public static func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }
}

/// What a finished command printed, and how it exited.
public struct CommandResult: Sendable, CustomStringConvertible {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    public var description: String { "exit \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }
}

/// Runs a built binary to completion.
@discardableResult
public func run(_ binary: String, _ arguments: [String], environment: [String: String] = [:]) throws -> CommandResult {
    try runProcess(URL(fileURLWithPath: Binaries.path(binary)), arguments, environment: environment)
}

/// Runs the executable at `path` (one this package did not build, such as an older `plansync`) to completion.
@discardableResult
public func run(executableAt path: String, _ arguments: [String], environment: [String: String] = [:]) throws
    -> CommandResult
{
    try runProcess(URL(fileURLWithPath: path), arguments, environment: environment)
}

/// Runs a tool from the PATH (xmllint, python3) to completion.
public func runTool(_ tool: String, _ arguments: [String]) throws -> CommandResult {
    try runProcess(URL(fileURLWithPath: "/usr/bin/env"), [tool] + arguments)
}

private func runProcess(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws
    -> CommandResult
{
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // Read both pipes to the end before waiting, so a large output cannot block the child.
    let collected = Mutex<Data>(Data())
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
        let data = out.readAllAndClose()
        collected.withLock { $0 = data }
        group.leave()
    }
    let errData = err.readAllAndClose()
    group.wait()
    let status = waitForExit(process)
    return CommandResult(
        status: status, stdout: String(decoding: collected.withLock { $0 }, as: UTF8.self),
        stderr: String(decoding: errData, as: UTF8.self))
}

extension Pipe {
    /// Everything written to the pipe until its write end closed; then its read end is closed. A `Pipe` given to a
    /// `Process` outlives the child (Foundation keeps it), so its read end stayed open after every run. The
    /// suite's open files grew past a thousand, and Foundation's `Process.run` (Swift 6.3.1) reads past the end of
    /// its listing of `/proc/self/fd` when that listing fills its buffer: the suite crashed there with SIGSEGV.
    public func readAllAndClose() -> Data {
        let data = fileHandleForReading.readDataToEndOfFile()
        try? fileHandleForReading.close()
        return data
    }
}

/// A fresh temporary folder, removed by `remove()`.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("plansync-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> String { path + "/" + name }

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Reads what `process` prints until it names the loopback URL it listens on; its port and scheme.
func awaitListening(_ process: Process, _ out: Pipe, what: String) throws -> (port: Int, scheme: String) {
    var seen = ""
    let deadline = Date().addingTimeInterval(60)
    while Date() < deadline {
        let chunk = out.fileHandleForReading.availableData
        if chunk.isEmpty { break }
        seen += String(decoding: chunk, as: UTF8.self)
        if let range = seen.range(of: #"https?://127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
            let port = Int(seen[range].split(separator: ":").last!)!
            return (port, seen[range].hasPrefix("https") ? "https" : "http")
        }
    }
    process.terminate()
    try? out.fileHandleForReading.close()
    throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "\(what) did not start: \(seen)"])
}

/// A real `plansync ui` process over a replica, on a loopback port.
public final class PagesProcess: Sendable {
    public let url: String
    private let process: Process
    /// The read end of its standard output, closed once it has ended.
    private let output: FileHandle

    private init(process: Process, output: FileHandle, url: String) {
        self.process = process
        self.output = output
        self.url = url
    }

    /// Starts `plansync ui --replica PATH --port 0` and waits until it prints where it listens.
    public static func start(replica: String) throws -> PagesProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.path("plansync"))
        process.arguments = ["ui", "--replica", replica, "--port", "0"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let (port, _) = try awaitListening(process, out, what: "plansync ui")
        return PagesProcess(process: process, output: out.fileHandleForReading, url: "http://127.0.0.1:\(port)")
    }

    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            waitForExit(process, killingAfter: 60)
        }
        try? output.close()
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            waitForExit(process)
        }
        try? output.close()
    }
}

/// A real `plansync-server serve` process on a loopback port.
public final class ServerProcess: Sendable {
    /// The data folder, or the database URL.
    public let data: String
    /// `--data DIR` or `--database URL`, as every server command takes it.
    public let storage: [String]
    public let port: Int
    public let url: String
    private let process: Process
    /// The read end of its standard output, closed once it has ended.
    private let output: FileHandle
    /// The `plansync-server` binary it runs; its commands (tokens) run with the same.
    private let executable: String

    private init(
        process: Process, output: FileHandle, storage: [String], port: Int, scheme: String, executable: String
    ) {
        self.process = process
        self.output = output
        self.executable = executable
        self.storage = storage
        self.data = storage.last ?? ""
        self.port = port
        self.url = "\(scheme)://127.0.0.1:\(port)"
    }

    /// Starts the server on a data folder (with `arguments` after its storage, host and port) and waits until it
    /// prints that it accepts connections. Its stderr goes to the file `stderr`, if given.
    public static func start(
        data: String, port: Int = 0, arguments: [String] = [], stderr: String? = nil, executable: String? = nil
    ) throws -> ServerProcess {
        try start(storage: ["--data", data], port: port, arguments: arguments, stderr: stderr, executable: executable)
    }

    /// Starts an instance on a PostgreSQL database and waits until it accepts connections.
    public static func start(database: String, port: Int = 0, arguments: [String] = [], stderr: String? = nil)
        throws -> ServerProcess
    {
        try start(storage: ["--database", database], port: port, arguments: arguments, stderr: stderr)
    }

    /// Starts the server on `storage` (`--data DIR` or `--database URL`).
    /// `executable` is another `plansync-server` binary (another build), nil for the one built here.
    public static func start(
        storage: [String], port: Int = 0, arguments: [String] = [], stderr: String? = nil, executable: String? = nil
    ) throws -> ServerProcess {
        let process = Process()
        let executable = executable ?? Binaries.path("plansync-server")
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["serve"] + storage + ["--host", "127.0.0.1", "--port", String(port)] + arguments
        let out = Pipe()
        process.standardOutput = out
        if let stderr { FileManager.default.createFile(atPath: stderr, contents: nil) }
        let log = stderr.flatMap { FileHandle(forWritingAtPath: $0) }
        process.standardError = log ?? FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // The child holds its own copy of the log; the test's is closed at once.
        try? log?.close()
        let (port, scheme) = try awaitListening(process, out, what: "server")
        return ServerProcess(
            process: process, output: out.fileHandleForReading, storage: storage, port: port, scheme: scheme,
            executable: executable)
    }

    /// Sends a signal and waits for the process to end.
    public func stop(signal: Int32 = SIGTERM) {
        if process.isRunning {
            kill(process.processIdentifier, signal)
            waitForExit(process, killingAfter: 60)
        }
        try? output.close()
    }

    public var isRunning: Bool { process.isRunning }

    public var processIdentifier: Int32 { process.processIdentifier }

    /// Creates a token with the real command and returns it.
    public func token(name: String, role: String, office: String? = nil, language: String? = nil) throws -> String {
        var arguments = ["token", "create"] + storage + ["--name", name, "--role", role]
        if let office { arguments += ["--office", office] }
        if let language { arguments += ["--language", language] }
        let result = try run(executableAt: executable, arguments)
        guard result.status == 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "token create failed: \(result)"])
        }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            waitForExit(process)
        }
        try? output.close()
    }
}

/// Waits until `process` has ended and returns its status (its exit code, or the signal that ended it), as
/// `terminationStatus` gives it. Every wait for a child goes through here: Foundation's `waitUntilExit` can miss a
/// child's end and spin for ever (a server left a zombie, and the suite hung); so this polls, and after 10 s
/// reaps the child itself when it has ended unnoticed. With `killingAfter`, a child still running then is killed.
@discardableResult
public func waitForExit(_ process: Process, killingAfter limit: TimeInterval? = nil) -> Int32 {
    let pid = process.processIdentifier
    let started = Date()
    while process.isRunning {
        let waited = Date().timeIntervalSince(started)
        if waited > 10 {
            var status: Int32 = 0
            switch waitpid(pid, &status, WNOHANG) {
            case pid: return status & 0x7f == 0 ? (status >> 8) & 0xff : status & 0x7f
            case -1 where !process.isRunning: return process.terminationStatus
            case -1: return -1
            default: break
            }
        }
        if let limit, waited > limit { kill(pid, SIGKILL) }
        usleep(10_000)
    }
    return process.terminationStatus
}
