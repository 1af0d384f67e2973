import Foundation
import Synchronization

/// A finished child process: its exit status and what it printed.
struct ChildResult: Sendable {
    var status: Int32
    var stdout: Data
    var stderr: String
    var succeeded: Bool { status == 0 }
}

/// Running helper programs (this executable in another role, `gzip`, `python3`) to completion.
enum ChildProcess {
    /// This executable, so a scenario can run part of itself in a separate process and measure that process.
    static var selfPath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// Runs `executable` with `arguments`, feeding it `input`, and waits for it — at most `timeout`, after
    /// which it is terminated (then killed) and its result says so.
    static func run(
        _ executable: String, _ arguments: [String], input: Data? = nil, timeout: Duration
    ) async throws -> ChildResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        let stdin = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        try process.run()
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            terminate(process)
        }
        defer { watchdog.cancel() }
        // The pipes are read on dispatch threads, not the cooperative pool: the reads block until the child
        // closes them, and a large output must be drained before the child can exit.
        let (outData, errData): (Data, Data) = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                if let input {
                    DispatchQueue.global().async {
                        try? stdin.fileHandleForWriting.write(contentsOf: input)
                        try? stdin.fileHandleForWriting.close()
                    }
                }
                let group = DispatchGroup()
                let collected = Locked(Data())
                group.enter()
                DispatchQueue.global().async {
                    let data = out.fileHandleForReading.readDataToEndOfFile()
                    try? out.fileHandleForReading.close()
                    collected.withLock { $0 = data }
                    group.leave()
                }
                let errors = err.fileHandleForReading.readDataToEndOfFile()
                // The pipe outlives the child (Foundation keeps it), so its read end is closed here.
                try? err.fileHandleForReading.close()
                group.wait()
                process.waitUntilExit()
                continuation.resume(returning: (collected.withLock { $0 }, errors))
            }
        }
        return ChildResult(
            status: process.terminationStatus, stdout: outData, stderr: String(decoding: errData, as: UTF8.self))
    }

    /// SIGTERM, then SIGKILL if the process is still running five seconds later.
    static func terminate(_ process: Process) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<50 where process.isRunning { usleep(100_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// A value shared between threads, behind a mutex.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) {
        mutex = Mutex(value)
    }

    func withLock<T: Sendable>(_ body: (inout Value) -> T) -> T {
        mutex.withLock { body(&$0) }
    }
}
