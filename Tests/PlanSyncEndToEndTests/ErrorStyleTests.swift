import Foundation
import PlanSyncTestSupport
import Testing

/// Every failure of `plansync` is one line on stderr, `plansync: …`, with the exit status README.md documents.
@Suite("Errors and exit statuses", .serialized)
struct ErrorStyleTests {
    struct Case: CustomStringConvertible {
        var arguments: [String]
        var status: Int32
        var message: String
        var environment: [String: String] = [:]
        var description: String { arguments.joined(separator: " ") }
    }

    /// Runs each case and checks its status, its single `plansync: ` line, and that no token appears.
    static func check(_ cases: [Case], secrets: [String] = [], at location: SourceLocation = #_sourceLocation) throws {
        for item in cases {
            let environment = ["PLANSYNC_REPLICA": ""].merging(item.environment) { $1 }
            let result = try run("plansync", item.arguments, environment: environment)
            let seen = "\(item): \(result)"
            #expect(result.status == item.status, "\(seen)", sourceLocation: location)
            #expect(result.stderr.hasPrefix("plansync: "), "\(seen)", sourceLocation: location)
            #expect(result.stderr.contains(item.message), "\(seen)", sourceLocation: location)
            #expect(result.stderr.split(separator: "\n").count == 1, "\(seen)", sourceLocation: location)
            #expect(result.stdout.isEmpty, "\(seen)", sourceLocation: location)
            for secret in secrets {
                #expect(!result.stderr.contains(secret), "\(item) printed a token", sourceLocation: location)
            }
        }
    }

    @Test func failingInvocationsOfAReachableServer() throws {
        let cluster = try Cluster()
        let alice = try cluster.replica("alice")
        try cluster.sync(alice)
        let folder = cluster.directory
        let broken = "<xliff version=1.2>"
        try broken.write(toFile: folder.file("broken.xlf"), atomically: true, encoding: .utf8)
        let ritaToken = try cluster.server.token(name: "rita", role: "admin")
        let revoked = folder.file("rita.sqlite")
        let url = cluster.server.url
        try expectSuccess(run("plansync", ["init", "--replica", revoked, "--server", url, "--token", ritaToken]))
        try expectSuccess(run("plansync-server", ["token", "revoke", "--data", cluster.server.data, "--name", "rita"]))
        let newline = "secret-first-line\nsecret-second-line"

        try Self.check(
            [
                Case(arguments: ["frobnicate"], status: 64, message: "(see 'plansync --help')"),
                Case(arguments: ["sync", "--no-such-option", "--replica", alice], status: 64,
                     message: "(see 'plansync sync --help')"),
                Case(arguments: ["material", "add", "--replica", alice], status: 64,
                     message: "(see 'plansync material add --help')"),
                Case(arguments: ["status"], status: 64, message: "no replica: pass --replica FILE"),
                Case(arguments: ["init", "--replica", folder.file("n.sqlite"), "--server", "ftp://x"], status: 64,
                     message: "--server must be an http:// or https:// URL"),
                Case(arguments: ["sync", "--replica", alice], status: 64, message: "PLANSYNC_TIMEOUT must be",
                     environment: ["PLANSYNC_TIMEOUT": "soon"]),
                Case(arguments: ["report", "build", "--replica", alice, "--plan", "iasc-protection-policy",
                                 "--period", "2017", "--format", "pdf", "--output", folder.file("r.pdf")],
                     status: 64, message: "--format must be one of"),
                Case(arguments: ["show", "iasc-protection-polcy/A.1", "--replica", alice], status: 65,
                     message: "no record 'iasc-protection-polcy/A.1' in this replica (nearest: "
                        + "iasc-protection-policy/A.1"),
                Case(arguments: ["set", "iasc-protection-policy/A.1/99x", "comment", "x", "--replica", alice],
                     status: 65, message: "(nearest: iasc-protection-policy/A.1/"),
                Case(arguments: ["xliff", "import", folder.file("broken.xlf"), "--replica", alice], status: 65,
                     message: "; nothing was imported"),
                Case(arguments: ["xliff", "import", "nonexist.xlf", "--replica", alice], status: 66,
                     message: "cannot read nonexist.xlf: no such file"),
                Case(arguments: ["status", "--replica", folder.file("missing.sqlite")], status: 66,
                     message: "no replica at"),
                Case(arguments: ["xliff", "export", "--lang", "ar", "--output", "/nonexistent/ar.xlf",
                                 "--replica", alice],
                     status: 73, message: "cannot write /nonexistent/ar.xlf: no folder /nonexistent"),
                Case(arguments: ["sync", "--replica", revoked], status: 77, message: "unknown or was revoked"),
                Case(arguments: ["init", "--replica", folder.file("t.sqlite"), "--server", url, "--token", newline],
                     status: 77, message: "a line break"),
            ],
            secrets: [ritaToken, "secret-first-line", "secret-second-line"])

        let refused = try run("plansync", ["sync", "--replica", revoked])
        #expect(!refused.stderr.contains("run 'plansync sync' again"), "\(refused)")
        #expect(refused.stderr.contains("nothing was lost"), "\(refused)")
    }

    @Test func aServerThatIsDownOrNeverAnswersIs69() throws {
        let cluster = try Cluster()
        let alice = try cluster.replica("alice")
        try cluster.sync(alice)
        cluster.server.stop()
        try Self.check([
            Case(arguments: ["sync", "--replica", alice], status: 69, message: "connection refused (nothing was lost"),
            Case(arguments: ["init", "--replica", cluster.directory.file("b.sqlite"), "--server", cluster.server.url,
                             "--token", "0123abcd"], status: 69, message: "cannot reach \(cluster.server.url)"),
        ])

        // A listener that accepts the connection and never answers, on the server's port.
        let listener = try SilentListener(port: cluster.server.port)
        defer { listener.stop() }
        let started = Date()
        try Self.check([
            Case(arguments: ["sync", "--replica", alice], status: 69,
                 message: "\(cluster.server.url) did not answer within 1 s (nothing was lost",
                 environment: ["PLANSYNC_TIMEOUT": "1"]),
        ])
        #expect(Date().timeIntervalSince(started) < 20, "the timeout was not the one asked for")
        let silent = try run("plansync", ["sync", "--replica", alice], environment: ["PLANSYNC_TIMEOUT": "1"])
        #expect(silent.stderr.contains("run 'plansync sync' again"), "\(silent)")
    }
}

/// A TCP listener on loopback that accepts connections and never sends a byte (python3).
final class SilentListener: Sendable {
    private let process: Process

    init(port: Int) throws {
        let script = """
            import socket, sys
            server = socket.socket()
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            server.bind(("127.0.0.1", \(port)))
            server.listen(16)
            print("listening", flush=True)
            held = []
            while True:
                held.append(server.accept()[0])
            """
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let line = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        guard line.contains("listening") else {
            kill(process.processIdentifier, SIGKILL)
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "listener did not start: \(line)"])
        }
    }

    /// SIGKILL: the test process may ignore SIGTERM, and an ignored signal stays ignored in its children.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        waitForExit(process)
    }
}
