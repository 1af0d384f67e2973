import Foundation
import PlanSyncTestSupport
import Testing

/// The replica file holds the server's bearer token: it is private to its owner, and `plansync init` can take
/// the token from a file or the environment instead of the command line.
@Suite("The replica file and its token", .serialized)
struct ReplicaFileTests {
    static func mode(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    static func initialise(_ replica: String, on cluster: Cluster, _ arguments: [String] = [], token: String? = nil)
        throws -> CommandResult
    {
        // An empty PLANSYNC_TOKEN counts as unset, so the test does not inherit one.
        try run(
            "plansync", ["init", "--replica", replica, "--server", cluster.server.url] + arguments,
            environment: ["PLANSYNC_TOKEN": token ?? ""])
    }

    @Test func theReplicaAndItsSideFilesAreReadableByTheirOwnerOnly() throws {
        let cluster = try Cluster()
        let replica = try cluster.replica("alice")
        #expect(try Self.mode(replica) == 0o600)
        try cluster.sync(replica)
        for side in [replica + "-wal", replica + "-shm"] where FileManager.default.fileExists(atPath: side) {
            #expect(try Self.mode(side) == 0o600, "\(side)")
        }
        // A replica made world-readable (by an older version, or by hand) is made private again by init.
        let files = [replica, replica + "-wal", replica + "-shm"]
        for file in files where FileManager.default.fileExists(atPath: file) {
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
        }
        let token = try cluster.server.token(name: "alice-again", role: "admin")
        try expectSuccess(Self.initialise(replica, on: cluster, ["--token", token]))
        for file in files where FileManager.default.fileExists(atPath: file) {
            #expect(try Self.mode(file) == 0o600, "\(file)")
        }
    }

    @Test func theTokenComesFromTheEnvironmentOrTheFirstLineOfAFile() throws {
        let cluster = try Cluster()
        let fromEnvironment = cluster.directory.file("env.sqlite")
        let first = try cluster.server.token(name: "env", role: "viewer")
        try expectSuccess(Self.initialise(fromEnvironment, on: cluster, token: first))
        try cluster.sync(fromEnvironment)
        #expect(try cluster.plansync(fromEnvironment, "status").stdout.contains("token: env (viewer)"))

        let fromFile = cluster.directory.file("file.sqlite")
        let tokenFile = cluster.directory.file("token.txt")
        let second = try cluster.server.token(name: "file", role: "viewer")
        try "  \(second)  \r\nnot the token\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        try expectSuccess(Self.initialise(fromFile, on: cluster, ["--token-file", tokenFile]))
        try cluster.sync(fromFile)
        #expect(try cluster.plansync(fromFile, "status").stdout.contains("token: file (viewer)"))
    }

    @Test func noTokenTwoTokensOrAnUnreadableTokenFileFailInOneLineAndCreateNothing() throws {
        let cluster = try Cluster()
        let token = try cluster.server.token(name: "t", role: "viewer")
        let empty = cluster.directory.file("empty.txt")
        try "\nsecond line\n".write(toFile: empty, atomically: true, encoding: .utf8)
        let cases: [([String], String?, String, Int32)] = [
            ([], nil, "no token: pass --token-file FILE or --token TOKEN, or set PLANSYNC_TOKEN", 64),
            (["--token", token], token, "one way only: --token, --token-file or PLANSYNC_TOKEN", 64),
            (["--token", token, "--token-file", empty], nil, "one way only", 64),
            (["--token-file", cluster.directory.file("missing.txt")], nil, "missing.txt: no such file", 66),
            (["--token-file", cluster.directory.path], nil, "it is a folder", 66),
            (["--token-file", empty], nil, "empty.txt: the first line holds no token", 65),
        ]
        for (number, (arguments, environment, message, status)) in cases.enumerated() {
            let replica = cluster.directory.file("replica-\(number).sqlite")
            let result = try Self.initialise(replica, on: cluster, arguments, token: environment)
            #expect(result.status == status, "\(arguments): \(result)")
            #expect(result.stderr.hasPrefix("plansync: ") && result.stderr.contains(message), "\(arguments): \(result)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result)")
            #expect(!FileManager.default.fileExists(atPath: replica), "\(arguments) created \(replica)")
        }
    }
}
