import Foundation
import Logging
import PlanSyncCore
import PlanSyncServer

/// A real sync server on 127.0.0.1, in a child process of its own (this executable, `plansync-bench serve`),
/// so that its memory can be read apart from the clients'.
final class LoopbackServer: Sendable {
    let port: Int
    let pid: Int32
    private let process: Process

    var url: String { "http://127.0.0.1:\(port)" }

    private init(process: Process, port: Int) {
        self.process = process
        self.pid = process.processIdentifier
        self.port = port
    }

    /// Starts a server on `data` (already seeded and loaded) and waits until it accepts connections; its log
    /// goes to `log`. Gives up after a minute.
    static func start(data: String, log: String) throws -> LoopbackServer {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ChildProcess.selfPath)
        process.arguments = ["serve", "--data", data]
        let out = Pipe()
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.standardOutput = out
        process.standardError = FileHandle(forWritingAtPath: log)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // A server that never prints its port is terminated, which ends the read loop below.
        let watchdog = DispatchWorkItem { ChildProcess.terminate(process) }
        DispatchQueue.global().asyncAfter(deadline: .now() + 60, execute: watchdog)
        defer { watchdog.cancel() }
        var seen = ""
        while true {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
            if let line = seen.split(separator: "\n").first(where: { $0.hasPrefix(readyPrefix) }),
                let port = Int(line.dropFirst(readyPrefix.count))
            {
                return LoopbackServer(process: process, port: port)
            }
        }
        ChildProcess.terminate(process)
        let logged = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        throw BenchmarkError("the benchmark server did not start: \(seen)\(logged.suffix(2_000))")
    }

    /// Stops the server gracefully (SIGTERM), killing it if it has not stopped within five seconds.
    func stop() {
        ChildProcess.terminate(process)
        process.waitUntilExit()
    }

    /// Peak resident memory of the server process since it started or since `resetPeakMemory()`.
    var peakMemory: Int? { ProcessMemory.peak(pid: pid) }

    @discardableResult
    func resetPeakMemory() -> Bool { ProcessMemory.resetPeak(pid: pid) }

    /// CPU seconds the server process has used so far.
    var cpuSeconds: Double? { ProcessCPU.seconds(pid: pid) }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    // MARK: - The child's side

    static let readyPrefix = "plansync-bench server on 127.0.0.1:"

    /// The body of `plansync-bench serve`: the sync server on `data`, on a free loopback port, until SIGTERM.
    /// Logs only warnings, so the figures do not include a log line per request.
    static func serve(data: String) async throws {
        var logger = Logger(label: "plansync-bench.server")
        logger.logLevel = .warning
        let server = SyncServer(store: try SQLiteSyncStore(directory: data, logger: logger), logger: logger)
        try await server.run(host: "127.0.0.1", port: 0) { port in
            FileHandle.standardOutput.write(Data("\(readyPrefix)\(port)\n".utf8))
        }
    }
}

/// A benchmark that could not run: what went wrong, in a sentence.
public struct BenchmarkError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
