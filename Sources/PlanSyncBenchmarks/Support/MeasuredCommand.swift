import Foundation

/// One run of a command measured from outside: its wall-clock time from spawn to exit, the peak resident
/// memory of that process alone, and how much it printed.
struct MeasuredRun: Sendable {
    var seconds: Double
    var peakBytes: Int
    var outputBytes: Int
    var status: Int32
    var stderr: String
}

/// Runs a program to completion with its standard output sent to a file, and measures it. Its peak memory is
/// its `VmHWM`, read every millisecond while it runs: `ru_maxrss` cannot serve, since a child spawned by this
/// (larger) process starts its count at this process's size.
enum MeasuredCommand {
    static func run(_ executable: String, _ arguments: [String], stdout: String) throws -> MeasuredRun {
        let stderrPath = stdout + ".stderr"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        let clock = ContinuousClock()
        let start = clock.now
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw BenchmarkError("cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        var peak = 0
        // The scenario runs nothing else meanwhile, so waiting here blocks no other work.
        while true {
            peak = max(peak, ProcessMemory.peak(pid: pid) ?? 0)
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { break }
            if reaped < 0 && errno != EINTR { throw BenchmarkError("waiting for \(executable): errno \(errno)") }
            usleep(1_000)
        }
        let seconds = (clock.now - start).seconds
        let exitStatus = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        let size = (try? FileManager.default.attributesOfItem(atPath: stdout)[.size] as? Int) ?? 0
        let errors = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: stderrPath)
        return MeasuredRun(
            seconds: seconds, peakBytes: peak, outputBytes: size, status: exitStatus,
            stderr: errors)
    }
}
