import Foundation
import PlanSyncTestSupport
import Testing

/// The README is a test: its ```sh blocks run as pasted, in order, in one bash, against the built binaries.
@Suite("README")
struct ReadmeTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test func everyShellBlockRunsAsPasted() throws {
        let readme = try String(contentsOf: Self.repository.appendingPathComponent("README.md"), encoding: .utf8)
        let script = ReadmeScript(markdown: readme)
        #expect(script.blocks.count >= 8, "the README's shell blocks were not found")
        // PORT to PORT + 4 are used: a block of free ports below the range the system hands out for port 0, so
        // no server another test starts meanwhile takes one of them.
        let port = try freePortBlock(count: 5)
        let outcome = try script.run(environment: ["REPO": Self.repository.path, "PORT": String(port)])
        #expect(outcome.failure == nil, "\(outcome.failure ?? "")")
    }

    /// A broken command fails the run and the report shows its block; a background job does not outlive it, and
    /// `timeout` stops what it runs (no signal is blocked in the script).
    @Test func aBrokenBlockFailsAndIsShown() throws {
        let markdown = """
            ```sh
            sleep 300 &
            timeout 1 sleep 120 || echo "timeout stopped it"
            echo first block
            ```

            ```sh
            # not run: never runs
            exit 3
            ```

            ```sh
            echo before
            plansync no-such-command --replica nowhere.sqlite
            echo never-reached
            ```
            """
        let started = Date()
        let outcome = try ReadmeScript(markdown: markdown).run()
        #expect(Date().timeIntervalSince(started) < 60, "the background job kept the run alive")
        let failure = try #require(outcome.failure)
        #expect(failure.contains("plansync no-such-command"))
        let printed =
            (failure.components(separatedBy: "--- it printed:").last ?? "")
            .components(separatedBy: "--- the last lines before it:").first ?? ""
        let before = failure.components(separatedBy: "--- the last lines before it:").last ?? ""
        #expect(before.contains("timeout stopped it") && before.contains("first block"), "\(failure)")
        #expect(printed.contains("before") && printed.contains("plansync: "), "\(failure)")
        #expect(!printed.contains("never-reached") && !printed.contains("first block"), "\(failure)")
    }
}

/// The synopsis under "## The commands" (shown, not run): every command it names exists, and every option it
/// gives that command is in the command's own help, so the list cannot drift from the binaries.
extension ReadmeTests {
    @Test func theCommandsSectionNamesOnlyCommandsAndOptionsThatExist() throws {
        let readme = try String(contentsOf: Self.repository.appendingPathComponent("README.md"), encoding: .utf8)
        let entries = CommandSynopsis(markdown: readme).entries
        #expect(entries.count >= 30, "the synopsis under '## The commands' was not found: \(entries.count) entries")
        for entry in entries {
            let result = try run(entry.binary, entry.path + ["--help"])
            let name = ([entry.binary] + entry.path).joined(separator: " ")
            #expect(result.status == 0, "\(name) --help: \(result)")
            for option in entry.options where !result.stdout.contains(option) {
                Issue.record("the README gives \(name) the option \(option), which its --help does not list")
            }
        }
    }
}

/// The command lines of the README's synopsis: each `plansync…` at a line's start or after two spaces begins
/// one, and indented lines continue it; `a|b` names two commands; text in parentheses is commentary.
struct CommandSynopsis {
    struct Entry {
        let binary: String
        let path: [String]
        let options: [String]
    }

    let entries: [Entry]

    init(markdown: String) {
        guard let section = markdown.components(separatedBy: "## The commands\n").dropFirst().first,
            let block = section.components(separatedBy: "```").dropFirst().first
        else {
            entries = []
            return
        }
        var texts: [String] = []
        for line in block.split(separator: "\n") {
            let bare = line.replacing(/\([^)]*\)/, with: "")
            if line.first?.isWhitespace == true, !texts.isEmpty {
                texts[texts.count - 1] += " " + bare
            } else {
                texts += bare.split(separator: /\s{2,}(?=plansync)/).map(String.init)
            }
        }
        entries = texts.flatMap { text -> [Entry] in
            let words = text.split(separator: " ").map(String.init)
            guard let binary = words.first, binary.hasPrefix("plansync") else { return [] }
            let path = words.dropFirst().prefix { $0.wholeMatch(of: /[a-z][a-z0-9-]*(\|[a-z][a-z0-9-]*)*/) != nil }
            let options = text.matches(of: /--[a-z][a-z0-9-]*/).map { String($0.output) }
            // `a|b` names one command each; alternatives only ever stand last in a path.
            guard let last = path.last, last.contains("|") else {
                return [Entry(binary: binary, path: Array(path), options: options)]
            }
            return last.split(separator: "|").map {
                Entry(binary: binary, path: path.dropLast() + [String($0)], options: options)
            }
        }
    }
}

/// The README's runnable shell blocks, joined into one bash script with a marker before each block.
struct ReadmeScript {
    /// A block whose first line starts with this is shown to readers but not run (say why after the colon).
    static let notRun = "# not run:"

    let blocks: [String]

    init(markdown: String) {
        var blocks: [String] = []
        var current: [Substring]?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line == "```sh" {
                current = []
            } else if let block = current, line.hasPrefix("```") {
                blocks.append(block.joined(separator: "\n"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        // The set-up block (`swift run`, `swift test`) is how to build and test, not part of the walkthrough.
        self.blocks = blocks.filter { block in
            !block.hasPrefix(Self.notRun) && !block.contains("swift run ") && !block.contains("swift test")
        }
    }

    static func marker(_ index: Int) -> String { "@@ README block \(index + 1) @@" }

    /// How long the whole script may run before its process group is killed: a hung block fails the test.
    static let deadline: DispatchTimeInterval = .seconds(20 * 60)

    /// Starts bash on the script given as its argument with every signal unblocked and handled by default, as
    /// the leader of a new process group.
    static let cleanStart = """
        import os, signal, sys
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
        for number in (signal.SIGINT, signal.SIGQUIT, signal.SIGPIPE, signal.SIGTERM):
            signal.signal(number, signal.SIG_DFL)
        os.setpgrp()
        os.execv("/bin/bash", ["bash", sys.argv[1]])
        """

    var text: String {
        // SIGKILL: a signal the test process ignores (SIGTERM may be) stays ignored in the script's jobs.
        var script = ["set -euo pipefail", "trap 'kill -KILL $(jobs -p) 2>/dev/null; wait' EXIT"]
        for (index, block) in blocks.enumerated() {
            script += ["printf '\\n%s\\n' '\(Self.marker(index))'", block]
        }
        return script.joined(separator: "\n") + "\n"
    }

    /// Runs the script with bash in a fresh folder (also its TMPDIR), the built binaries first on PATH.
    /// `failure` shows the failing block and what it printed.
    func run(environment: [String: String] = [:]) throws -> (status: Int32, failure: String?) {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let scriptPath = folder.file("readme.sh")
        let logPath = folder.file("readme.log")
        try text.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        defer { try? log.close() }

        let process = Process()
        // The script runs as a user's shell runs it: no signal blocked or ignored (the test process blocks
        // SIGTERM in the threads that start children, and a `timeout` could then never stop what it runs), and
        // in a process group of its own, which the deadline kills whole.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.cleanStart, scriptPath]
        process.currentDirectoryURL = URL(fileURLWithPath: folder.path)
        var variables = ProcessInfo.processInfo.environment
        for name in ["PLANSYNC_REPLICA", "PLANSYNC_TOKEN", "PLANSYNC_TIMEOUT"] { variables[name] = nil }
        variables["PATH"] = Binaries.directory.path + ":" + (variables["PATH"] ?? "/usr/bin:/bin")
        variables["TMPDIR"] = folder.path
        process.environment = variables.merging(environment) { $1 }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let group = process.processIdentifier
        let deadline = DispatchWorkItem { kill(-group, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + Self.deadline, execute: deadline)
        let status = waitForExit(process)
        deadline.cancel()

        guard status != 0 else { return (0, nil) }
        let output = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        let index = blocks.indices.last { output.contains(Self.marker($0)) }
        guard let index else { return (status, "exit \(status)\n\(output)") }
        let parts = output.components(separatedBy: Self.marker(index))
        let printed = parts.last ?? ""
        // What ran just before (a background server's last lines land there), for a failure that printed nothing.
        let before = (parts.dropLast().last ?? "").split(separator: "\n").suffix(15).joined(separator: "\n")
        return (
            status,
            "README block \(index + 1) failed (exit \(status)):\n\(blocks[index])\n"
                + "--- it printed:\(printed)\n--- the last lines before it:\n\(before)"
        )
    }
}

/// A loopback port nobody listens on now (bound to port 0, read, released).
func freePort() throws -> Int {
    let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socket >= 0 else { throw POSIXError(.EMFILE) }
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
            bind(socket, raw, length) == 0 && getsockname(socket, raw, &length) == 0
        }
    }
    guard bound else { throw POSIXError(.EADDRINUSE) }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// The first of `count` consecutive loopback ports nobody listens on now, chosen at random below the range the
/// system hands out for port 0 (`ip_local_port_range`), so that servers started on port 0 never take one.
func freePortBlock(count: Int) throws -> Int {
    let range = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8))
        .flatMap { Int($0.split(whereSeparator: \.isWhitespace).first ?? "") } ?? 32_768
    let ceiling = min(range, 65_536) - count
    for _ in 0..<200 {
        let first = Int.random(in: 10_000...max(10_000, ceiling))
        if (first..<first + count).allSatisfy(portIsFree) { return first }
    }
    throw POSIXError(.EADDRINUSE)
}

/// Whether `port` can be bound on 127.0.0.1 now.
private func portIsFree(_ port: Int) -> Bool {
    let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socket >= 0 else { return false }
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    return withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
    }
}
