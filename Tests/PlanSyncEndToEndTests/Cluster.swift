import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PlanSyncTestSupport
import Testing

/// Where a test's server keeps its data.
enum ServerStore: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgres

    /// The stores tests run on: PostgreSQL when a database is given, and always under CI.
    static var available: [ServerStore] { TestDatabase.enabled ? allCases : [.sqlite] }

    var description: String { rawValue }
}

/// A temporary world for one test: a data folder (or a database of its own), a running server, and replica
/// files beside it.
final class Cluster: Sendable {
    let directory: TemporaryDirectory
    let server: ServerProcess
    let database: TestDatabase?

    /// `serverArguments` go to `plansync-server serve`; its stderr goes to `serverLog` when that is named.
    init(store: ServerStore = .sqlite, serverArguments: [String] = [], serverLog: String? = nil) throws {
        let directory = try TemporaryDirectory()
        self.directory = directory
        let stderr = serverLog.map(directory.file)
        switch store {
        case .sqlite:
            database = nil
            server = try ServerProcess.start(
                data: directory.file("data"), arguments: serverArguments, stderr: stderr)
        case .postgres:
            let database = try TestDatabase()
            self.database = database
            server = try ServerProcess.start(database: database.url, arguments: serverArguments, stderr: stderr)
        }
    }

    deinit {
        server.stop(signal: SIGKILL)
        database?.remove()
        directory.remove()
    }

    /// Creates a token and a replica initialised with it; returns the replica's path.
    func replica(
        _ name: String, role: String = "admin", office: String? = nil, language: String? = nil, client: String? = nil,
        initArguments: [String] = []
    ) throws -> String {
        let token = try server.token(name: name, role: role, office: office, language: language)
        return try replica(name, token: token, client: client, initArguments: initArguments)
    }

    /// A replica initialised with `token`; returns its path.
    func replica(_ name: String, token: String, client: String? = nil, initArguments: [String] = []) throws -> String {
        let path = directory.file("\(name).sqlite")
        try expectSuccess(
            Self.run(client, ["init", "--replica", path, "--server", server.url, "--token", token] + initArguments))
        return path
    }

    /// A synced replica with a new token, and the token (what its holder signs in to the pages with).
    func signedReplica(_ name: String, role: String, office: String? = nil) throws -> (path: String, token: String) {
        let token = try server.token(name: name, role: role, office: office)
        let path = try replica(name, token: token)
        try sync(path)
        return (path, token)
    }

    /// `plansync ARGS --replica PATH`; `client` is the path of another `plansync` binary (an older one), nil for
    /// the one built here.
    @discardableResult
    func plansync(_ replica: String, _ arguments: String..., client: String? = nil) throws -> CommandResult {
        try Self.run(client, arguments + ["--replica", replica])
    }

    /// Two admin replicas, `first` and `second`, synced; each writes `field` of `id` offline, and both sync
    /// (first, second, first): one open decision with both values, seen by both. Returns their paths.
    func offlineConflict(on id: String, field: String, values: (String, String)) throws -> (String, String) {
        let first = try replica("first")
        let second = try replica("second")
        for replica in [first, second] { try sync(replica) }
        try expectSuccess(plansync(first, "set", id, field, values.0))
        try expectSuccess(plansync(second, "set", id, field, values.1))
        for replica in [first, second, first] { try sync(replica) }
        return (first, second)
    }

    /// `plansync ARGS --replica PATH`, the arguments as an array.
    @discardableResult
    func plansync(_ replica: String, _ arguments: [String]) throws -> CommandResult {
        try Self.run(nil, arguments + ["--replica", replica])
    }

    func dump(_ replica: String, client: String? = nil) throws -> String {
        let result = try plansync(replica, "dump", "--json", client: client)
        try expectSuccess(result)
        return result.stdout
    }

    func sync(_ replica: String, client: String? = nil) throws {
        try expectSuccess(plansync(replica, "sync", client: client))
    }

    private static func run(_ client: String?, _ arguments: [String]) throws -> CommandResult {
        if let client { return try PlanSyncTestSupport.run(executableAt: client, arguments) }
        return try PlanSyncTestSupport.run("plansync", arguments)
    }
}

func expectSuccess(_ result: CommandResult, sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(result.status == 0, "\(result)", sourceLocation: sourceLocation)
    if result.status != 0 { throw CocoaError(.executableLoad) }
}

/// Parses JSON printed by a command.
func json(_ text: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(text.utf8))
}

/// A raw HTTP exchange with the server, for requests the client would never send.
struct RawHTTP {
    enum Method { case GET, POST }

    let base: String

    func send(
        _ method: Method, _ path: String, token: String?, body: Data? = nil, headers: [(String, String)] = []
    ) async throws -> (status: Int, body: String) {
        let answer = try await exchange(method, path, token: token, body: body, headers: headers)
        return (answer.status, answer.body)
    }

    /// `send`, with the answer's headers.
    func exchange(
        _ method: Method, _ path: String, token: String?, body: Data? = nil, headers: [(String, String)] = []
    ) async throws -> (status: Int, headers: HTTPHeaders, body: String) {
        var request = HTTPClientRequest(url: base + path)
        request.method = method == .GET ? .GET : .POST
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
        return (Int(response.status.code), response.headers, String(buffer: bytes))
    }

    /// The server's latest change sequence: moves whenever anything is stored.
    func latest(token: String) async throws -> Int {
        let (status, body) = try await send(.GET, "/v1/pull?since=0&limit=1", token: token)
        #expect(status == 200)
        return (try json(body) as! [String: Any])["latest"] as! Int
    }
}
