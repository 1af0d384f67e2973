import Foundation
import PlanSyncTestSupport
import Testing

@Suite("Server logs and readiness")
struct ServerLogTests {
    /// Each entry of a `--log-format json` log, parsed.
    static func entries(_ text: String) throws -> [[String: String]] {
        try text.split(separator: "\n").map { line in
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON: \(line)")
            return object.mapValues { "\($0)" }
        }
    }

    /// One JSON line per request with method, route, status, duration and the token's holder; start and stop
    /// lines; and the token itself nowhere in what the server printed.
    @Test func oneJSONLinePerRequestAndNeverTheToken() async throws {
        let cluster = try Cluster(serverArguments: ["--log-format", "json"], serverLog: "server.log")
        let token = try cluster.server.token(name: "alice", role: "admin")
        let alice = cluster.directory.file("alice.sqlite")
        try expectSuccess(
            run("plansync", ["init", "--replica", alice, "--server", cluster.server.url, "--token", token]))
        try cluster.sync(alice)
        let http = RawHTTP(base: cluster.server.url)
        let wrong = String(repeating: "f", count: 64)
        #expect(try await http.send(.GET, "/v1/pull?since=0&limit=1", token: wrong).status == 401)
        let forwarded = try await http.send(
            .GET, "/health", token: nil, headers: [("X-Forwarded-For", "203.0.113.7")])
        #expect(forwarded.status == 200)
        cluster.server.stop()

        let text = try String(contentsOfFile: cluster.directory.file("server.log"), encoding: .utf8)
        let entries = try Self.entries(text)
        let requests = entries.filter { $0["message"] == "request" }
        let pull = try #require(requests.first { $0["route"] == "/v1/pull" && $0["status"] == "200" }, "\(text)")
        #expect(pull["method"] == "GET")
        #expect(pull["principal"] == "alice")
        #expect(Double(pull["ms"] ?? "") != nil, "\(pull)")
        #expect(pull["client"] == "127.0.0.1")
        #expect(requests.contains { $0["route"] == "/v1/session" && $0["principal"] == "alice" }, "\(text)")
        let refused = try #require(requests.first { $0["status"] == "401" }, "\(text)")
        #expect(refused["principal"] == nil)
        #expect(refused["refusal"]?.hasPrefix("unauthorized") == true, "\(refused)")
        // Not behind a trusted proxy: the header is not believed.
        #expect(requests.contains { $0["route"] == "/health" && $0["client"] == "127.0.0.1" }, "\(text)")
        #expect(!text.contains("203.0.113.7"))
        #expect(entries.contains { $0["message"] == "plansync-server started" && $0["address"] != nil }, "\(text)")
        #expect(entries.last?["message"] == "plansync-server stopped: in-flight requests finished", "\(text)")
        #expect(entries.allSatisfy { $0["time"] != nil && $0["level"] != nil })
        #expect(!text.contains(token) && !text.contains(wrong), "a token reached the log")
        #expect(!text.contains("Bearer \(token)") && !text.contains("Bearer \(wrong)"))
    }

    /// Behind a proxy the server is told to trust, the client is the last X-Forwarded-For entry; `--log-level
    /// warning` leaves the request lines out.
    @Test func trustedProxyAndLogLevel() async throws {
        let trusted = try Cluster(serverArguments: ["--trust-proxy"], serverLog: "server.log")
        let reply = try await RawHTTP(base: trusted.server.url).send(
            .GET, "/health", token: nil, headers: [("X-Forwarded-For", "198.51.100.9, 203.0.113.7")])
        #expect(reply.status == 200)
        trusted.server.stop()
        let text = try String(contentsOfFile: trusted.directory.file("server.log"), encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.contains("request") && $0.contains("/health") })
        #expect(line.contains("client=203.0.113.7"), "\(line)")
        #expect(line.contains("method=GET") && line.contains("status=200"), "\(line)")

        let quiet = try Cluster(serverArguments: ["--log-level", "warning"], serverLog: "server.log")
        _ = try await RawHTTP(base: quiet.server.url).send(.GET, "/health", token: nil)
        quiet.server.stop()
        let quietText = try String(contentsOfFile: quiet.directory.file("server.log"), encoding: .utf8)
        #expect(!quietText.contains("request"), "\(quietText)")
    }

    /// `/ready` answers 200 while the store can be read, 503 with the reason in one line while its file is
    /// gone, and 200 again once it is back; `/health` stays 200 throughout.
    @Test func readyFollowsTheStore() async throws {
        let cluster = try Cluster()
        let http = RawHTTP(base: cluster.server.url)
        let ready = try await http.send(.GET, "/ready", token: nil)
        #expect(ready.status == 200)
        #expect(ready.body == #"{"status":"ready"}"#)
        let database = cluster.server.data + "/plansync.sqlite"
        try FileManager.default.moveItem(atPath: database, toPath: database + ".away")
        let gone = try await http.send(.GET, "/ready", token: nil)
        #expect(gone.status == 503, "\(gone)")
        let body = try #require(try json(gone.body) as? [String: String])
        #expect(body["error"] == "not_ready")
        #expect(body["detail"]?.hasPrefix("the store cannot be read: ") == true, "\(body)")
        #expect(body["detail"]?.contains("\n") == false)
        #expect(try await http.send(.GET, "/health", token: nil).status == 200)
        try FileManager.default.moveItem(atPath: database + ".away", toPath: database)
        #expect(try await http.send(.GET, "/ready", token: nil).status == 200)
    }
}
