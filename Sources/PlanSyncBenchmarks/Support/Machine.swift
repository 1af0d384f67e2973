import Foundation

/// The machine a run was measured on: figures from different machines are not comparable.
public struct Machine: Codable, Sendable {
    public var cpus: Int
    public var cpuModel: String
    public var memoryGiB: Double
    public var system: String

    /// This machine, read from `/proc/cpuinfo` and the process info.
    public static func current() -> Machine {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model =
            cpuinfo.split(separator: "\n")
            .first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        let info = ProcessInfo.processInfo
        return Machine(
            cpus: info.activeProcessorCount, cpuModel: model,
            memoryGiB: (Double(info.physicalMemory) / 1_073_741_824 * 10).rounded() / 10,
            system: info.operatingSystemVersionString)
    }

    public var summary: String {
        "\(cpus) × \(cpuModel), \(memoryGiB) GiB, \(system)"
    }
}

/// Resident memory of a process, from `/proc/PID/status` (Linux).
enum ProcessMemory {
    /// The peak resident set size (`VmHWM`) in bytes, or nil when it cannot be read.
    static func peak(pid: Int32? = nil) -> Int? {
        field("VmHWM", pid: pid)
    }

    /// The current resident set size (`VmRSS`) in bytes.
    static func resident(pid: Int32? = nil) -> Int? {
        field("VmRSS", pid: pid)
    }

    /// Resets the peak to the current resident size (writes `5` to `/proc/PID/clear_refs`), so the next peak
    /// reading covers only what follows. Returns false when the kernel refuses.
    @discardableResult
    static func resetPeak(pid: Int32? = nil) -> Bool {
        let path = "/proc/\(pid.map(String.init) ?? "self")/clear_refs"
        guard let handle = FileHandle(forWritingAtPath: path) else { return false }
        defer { try? handle.close() }
        return (try? handle.write(contentsOf: Data("5".utf8))) != nil
    }

    private static func field(_ name: String, pid: Int32?) -> Int? {
        let path = "/proc/\(pid.map(String.init) ?? "self")/status"
        guard let status = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
            let kilobytes = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first
            return kilobytes.flatMap { Int($0) }.map { $0 * 1024 }
        }
        return nil
    }
}

/// CPU time a process has used, from `/proc/PID/stat` (Linux) or `getrusage` for this process.
enum ProcessCPU {
    /// User plus system seconds of process `pid` so far, or nil when it cannot be read.
    static func seconds(pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return nil }
        // After the command name: state is field 3, utime 14 and stime 15 (1-based), in clock ticks.
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// User plus system seconds this process has used so far.
    static func ownSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return user + system
    }
}
