import Foundation
import PlanSyncTestSupport
import Testing

/// `plansync-server serve` settings from a configuration file, the environment and flags, in that rising
/// order of precedence (docs/CONFIGURATION.md), on the real binary.
@Suite("Configuration", .serialized)
struct ConfigurationTests {
    @Test func theFileTheEnvironmentAndTheFlagsEachOverrideTheOneBefore() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (filePort, environmentPort, flagPort) = (try freePort(), try freePort(), try freePort())
        let file = directory.file("plansync.json")
        try Data(#"{"data": "\#(directory.file("data"))", "host": "127.0.0.1", "port": \#(filePort)}"#.utf8)
            .write(to: URL(fileURLWithPath: file))

        // The file alone: its data folder and its port.
        let fromFile = try Listener.start(["serve", "--config", file])
        #expect(fromFile.port == filePort, "\(fromFile.line)")
        #expect(try await RawHTTP(base: "http://127.0.0.1:\(filePort)").send(.GET, "/health", token: nil).status == 200)
        fromFile.stop()
        #expect(FileManager.default.fileExists(atPath: directory.file("data/plansync.sqlite")))

        // The environment over the file (the file named by PLANSYNC_CONFIG).
        let fromEnvironment = try Listener.start(
            ["serve"], environment: ["PLANSYNC_CONFIG": file, "PLANSYNC_PORT": String(environmentPort)])
        #expect(fromEnvironment.port == environmentPort, "\(fromEnvironment.line)")
        fromEnvironment.stop()

        // A flag over both.
        let fromFlag = try Listener.start(
            ["serve", "--config", file, "--port", String(flagPort)],
            environment: ["PLANSYNC_PORT": String(environmentPort)])
        #expect(fromFlag.port == flagPort, "\(fromFlag.line)")
        #expect(try await RawHTTP(base: "http://127.0.0.1:\(flagPort)").send(.GET, "/health", token: nil).status == 200)
        fromFlag.stop()
    }

    @Test(arguments: [
        (#"{"port": "eighty"}"#, [:], ["plansync.json", "'port'", "a whole number"]),
        (#"{"prot": 8080}"#, [:], ["plansync.json", "unknown key 'prot'"]),
        (#"{"port": 8080,"#, [:], ["plansync.json", "not a JSON object"]),
        (#"{"port": 8080}"#, ["PLANSYNC_PORT": "eighty"], ["PLANSYNC_PORT", "'eighty'"]),
        // The TLS, log and limit settings are rows of the same table, nested in the file.
        (#"{"limits": {"header_timeout": "soon"}}"#, [:], ["plansync.json", "'limits.header_timeout'", "a number"]),
        (#"{"port": 8080}"#, ["PLANSYNC_LIMITS_MAX_CONNECTIONS": "many"], ["PLANSYNC_LIMITS_MAX_CONNECTIONS", "'many'"]),
        (#"{"log": {"format": "xml"}}"#, [:], ["log.format must be text or json, not 'xml'"]),
        (#"{"limits": {"push_rate": "fast"}}"#, [:], ["--push-rate must be N/s, N/min or off"]),
        (#"{"tls": {"cert": "/nowhere.pem"}}"#, [:], ["--tls-cert and --tls-key go together"]),
    ])
    func aBadSettingIsOneLineNamingWhereItCameFrom(
        contents: String, environment: [String: String], expected: [String]
    ) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.file("plansync.json")
        try Data(contents.utf8).write(to: URL(fileURLWithPath: file))
        let result = try run(
            "plansync-server", ["serve", "--config", file, "--data", directory.file("data")], environment: environment)
        #expect(result.status == 78, "\(result)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("plansync-server: "), "\(result)")
        for part in expected { #expect(result.stderr.contains(part), "\(result)") }
        #expect(!FileManager.default.fileExists(atPath: directory.file("data")), "nothing is created")
    }

    @Test func withoutADataFolderServeSaysWhereToGiveOne() throws {
        let result = try run("plansync-server", ["serve"])
        #expect(result.status == 78, "\(result)")
        #expect(
            result.stderr == "plansync-server: no data or database.url setting: give --data or --database, "
                + "PLANSYNC_DATA or PLANSYNC_DATABASE_URL, or 'data' or 'database.url' in a configuration file\n",
            "\(result)")
    }
}

/// A `plansync-server` started with any arguments and environment, until it says where it listens.
final class Listener: Sendable {
    let process: Process
    let line: String
    let port: Int

    private init(process: Process, line: String, port: Int) {
        self.process = process
        self.line = line
        self.port = port
    }

    static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> Listener {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.path("plansync-server"))
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PLANSYNC_") }
            .merging(environment) { $1 }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var seen = ""
        while !seen.contains("\n") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
        }
        guard let range = seen.range(of: #"listening on http://127\.0\.0\.1:\d+"#, options: .regularExpression) else {
            process.terminate()
            waitForExit(process, killingAfter: 60)
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "server did not start: \(seen)"])
        }
        return Listener(process: process, line: seen, port: Int(seen[range].split(separator: ":").last!)!)
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        waitForExit(process, killingAfter: 60)
    }

    deinit { stop() }
}
