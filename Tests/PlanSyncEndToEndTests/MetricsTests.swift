import Foundation
import PlanSyncTestSupport
import Testing

/// `GET /metrics` and `plansync-server offices` on a real server after real syncs: counters move by what
/// went through, and what lives in the data (open decisions, held edits, each office's last sync) is read
/// from the store, so it survives a restart.
@Suite("Metrics", .serialized)
struct MetricsTests {
    static let activity = "iasc-protection-policy/A.2"

    @Test func aScrapeCountsWhatMovedAndReadsTheStore() async throws {
        let started = Date()
        let cluster = try Cluster()
        let central = try cluster.replica("central")
        let bruno = try cluster.replica("bruno")
        let kabul = try cluster.replica("kabul", role: "office", office: "AFG")
        let admin = try cluster.server.token(name: "ops", role: "admin")
        let viewer = try cluster.server.token(name: "vera", role: "viewer")
        _ = try cluster.server.token(name: "damascus", role: "office", office: "SYR")  // never syncs
        let http = RawHTTP(base: cluster.server.url)
        for replica in [central, bruno, kabul] { try cluster.sync(replica) }

        let before = try await Scrape(http, token: admin)
        // A raw pull of 7 changes.
        let (status, page) = try await http.send(.GET, "/v1/pull?since=0&limit=7", token: admin)
        #expect(status == 200)
        let pulled = try await Scrape(http, token: admin)
        let pull = ["route": "/v1/pull", "method": "GET", "status": "200"]
        #expect(pulled.delta(before, "http_requests_total", pull) == 1, "\(pulled.text)")
        #expect(pulled.delta(before, "http_request_duration_seconds_count", pull) == 1)
        #expect(pulled.delta(before, "plansync_pull_records_total") == 7)
        // As sent: the page gzip-compressed, since the HTTP client accepts it.
        let sent = pulled.delta(before, "plansync_pull_bytes_total")
        #expect(sent > 0 && sent < Double(page.utf8.count), "\(sent)")
        // Two admins edit one comment offline: one open decision once both pushed.
        let record = "iasc-protection-policy/A.1/1"
        try expectSuccess(cluster.plansync(central, "set", record, "comment", "Sent on 3 October"))
        try expectSuccess(cluster.plansync(bruno, "set", record, "comment", "Delayed to November"))
        try cluster.sync(central)
        try cluster.sync(bruno)
        // An office's edit of a report the central team approved meanwhile is held.
        try expectSuccess(
            cluster.plansync(
                kabul, "report", "add", "--activity", Self.activity, "--period", "2017-Q3", "--status", "on-track"))
        try cluster.sync(kabul)
        try expectSuccess(
            cluster.plansync(
                kabul, "report", "add", "--activity", Self.activity, "--period", "2017-Q3", "--status", "completed"))
        try cluster.sync(central)
        try expectSuccess(cluster.plansync(central, "report", "approve", "--office", "AFG", "--period", "2017-Q3"))
        try cluster.sync(central)
        try cluster.sync(kabul)
        // Refused pushes, by reason: malformed, and without a token.
        let malformed = try await http.send(.POST, "/v1/push", token: admin, body: Data("{\"replica\":".utf8))
        #expect(malformed.status == 400)
        let anonymous = try await http.send(.POST, "/v1/push", token: nil, body: Data("{}".utf8))
        #expect(anonymous.status == 401)
        let after = try await Scrape(http, token: admin)

        let push = ["route": "/v1/push", "method": "POST", "status": "200"]
        #expect(after.delta(pulled, "http_requests_total", push) >= 5, "\(after.text)")
        #expect(after.delta(pulled, "http_requests_total", ["route": "/v1/push", "status": "400"]) == 1)
        #expect(after.delta(pulled, "http_requests_total", ["route": "/v1/push", "status": "401"]) == 1)
        // central: the comment and the approval; bruno: the comment; kabul: the report twice (second held).
        #expect(after.delta(before, "plansync_push_records_total") == 5, "\(after.text)")
        #expect(after.delta(before, "plansync_push_changed_records_total") == 4, "\(after.text)")
        #expect(after.delta(before, "plansync_push_bytes_total") > 0)
        #expect(after.delta(pulled, "plansync_pull_records_total") > 0)
        #expect(after.delta(before, "plansync_push_refused_total", ["reason": "bad_request"]) == 1)
        #expect(after.delta(before, "plansync_push_refused_total", ["reason": "unauthorized"]) == 1)
        #expect(after.value("plansync_held_edits") == 1, "\(after.text)")
        // The conflicting comment and the held edit.
        #expect(after.value("plansync_open_decisions") == 2, "\(after.text)")
        #expect(after.value("plansync_store_records") ?? 0 > 100)
        #expect(after.value("plansync_store_bytes") ?? 0 > 100_000)
        let afg = try #require(after.value("plansync_office_last_sync_timestamp_seconds", ["office": "AFG"]))
        #expect(afg >= started.timeIntervalSince1970 - 1 && afg <= Date().timeIntervalSince1970 + 1, "\(afg)")
        #expect(after.value("plansync_office_last_sync_timestamp_seconds", ["office": "SYR"]) == 0)

        // Settling the conflict is one decision fewer at the next scrape (only the changed records are read again).
        try cluster.sync(central)
        try expectSuccess(cluster.plansync(central, "resolve", record, "comment", "Sent in November"))
        try cluster.sync(central)
        let settled = try await Scrape(http, token: admin)
        #expect(settled.value("plansync_open_decisions") == 1, "\(settled.text)")

        // What lives in the data is still there after a restart; what moved through the process starts over.
        cluster.server.stop()
        let restarted = try ServerProcess.start(data: cluster.server.data)
        defer { restarted.stop() }
        let again = try await Scrape(RawHTTP(base: restarted.url), token: admin)
        #expect(again.value("plansync_held_edits") == 1)
        #expect(again.value("plansync_open_decisions") == 1)
        #expect(again.value("plansync_office_last_sync_timestamp_seconds", ["office": "AFG"]) == afg)
        #expect((again.value("plansync_push_records_total") ?? 0) == 0)

        // Only an admin token reads it; the refusal is one line of JSON like every other.
        let refused = try await RawHTTP(base: restarted.url).send(.GET, "/metrics", token: viewer)
        #expect(refused.status == 403 && refused.body.hasPrefix("{\"") && !refused.body.contains("\n"), "\(refused)")
        #expect(try json(refused.body) as? [String: String] != nil)
        let missing = try await RawHTTP(base: restarted.url).send(.GET, "/metrics", token: nil)
        #expect(missing.status == 401 && missing.body.contains("\"unauthorized\""), "\(missing)")
    }

    @Test func officesListsWhoSyncedAndWhoNever() throws {
        let started = Date()
        let cluster = try Cluster()
        let kabul = try cluster.replica("kabul", role: "office", office: "AFG")
        let herat = try cluster.replica("herat", role: "office", office: "AFG")
        _ = try cluster.server.token(name: "damascus", role: "office", office: "SYR")
        try cluster.sync(kabul)
        try cluster.sync(herat)
        let listed = try run("plansync-server", ["offices", "--data", cluster.server.data, "--json"])
        try expectSuccess(listed)
        let offices = try json(listed.stdout) as! [[String: Any]]
        #expect(offices.compactMap { $0["office"] as? String } == ["AFG", "SYR"], "\(listed)")
        let afg = offices[0]
        let replicas = afg["replicas"] as! [[String: Any]]
        #expect(Set(replicas.compactMap { $0["token"] as? String }) == ["kabul", "herat"], "\(listed)")
        let last = try #require((afg["lastSync"] as? String).flatMap { try? Date($0, strategy: .iso8601) })
        #expect(last >= started.addingTimeInterval(-1) && last <= Date().addingTimeInterval(1), "\(last)")
        #expect(offices[1]["lastSync"] is NSNull && (offices[1]["replicas"] as? [Any])?.isEmpty == true)

        let table = try run("plansync-server", ["offices", "--data", cluster.server.data])
        try expectSuccess(table)
        #expect(table.stdout.contains("SYR  last sync never"), "\(table)")
        #expect(table.stdout.contains("kabul") && table.stdout.contains("herat"), "\(table)")

        let nowhere = cluster.directory.file("no-such-folder")
        let refused = try run("plansync-server", ["offices", "--data", nowhere])
        #expect(refused.status == 64 && refused.stderr.contains("holds no PlanSync data"), "\(refused)")
        #expect(!FileManager.default.fileExists(atPath: nowhere), "nothing is created")
    }
}

/// One scrape of `/metrics`, read line by line: `name{label="value",…} number`.
struct Scrape {
    let text: String

    init(_ http: RawHTTP, token: String) async throws {
        let (status, body) = try await http.send(.GET, "/metrics", token: token)
        #expect(status == 200, "\(body)")
        text = body
    }

    /// The sum of the samples named `name` whose labels include `labels`; nil when there is none.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        var sum: Double?
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let number = Double(line[line.index(after: space)...]) else {
                continue
            }
            let series = line[..<space]
            let brace = series.firstIndex(of: "{") ?? series.endIndex
            guard series[..<brace] == name else { continue }
            let found = Self.labels(of: series[brace...])
            guard labels.allSatisfy({ found[$0.key] == $0.value }) else { continue }
            sum = (sum ?? 0) + number
        }
        return sum
    }

    func delta(_ earlier: Scrape, _ name: String, _ labels: [String: String] = [:]) -> Double {
        (value(name, labels) ?? 0) - (earlier.value(name, labels) ?? 0)
    }

    private static func labels(of text: Substring) -> [String: String] {
        guard text.count > 2 else { return [:] }
        var labels: [String: String] = [:]
        for pair in text.dropFirst().dropLast().split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            labels[String(parts[0])] = String(parts[1].dropFirst().dropLast())
        }
        return labels
    }
}
