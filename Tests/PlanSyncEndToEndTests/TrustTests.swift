import Foundation
import PlanSyncClient
import PlanSyncCore
import PlanSyncTestSupport
import Testing

/// The attacks of issue 10 (CAUSALITY cases 15–18), each a crafted push to a real server on loopback with only
/// the documented API: every one is refused, no stored byte changes, and `plansync` keeps working everywhere.
@Suite("What a server believes of a push")
struct TrustTests {
    static let id = "iasc-protection-policy/A.1/1"

    /// A cluster with an admin replica that has written the record, a translator and a viewer token.
    struct World {
        let cluster: Cluster
        let http: RawHTTP
        let admin: String
        let adminID: String
        let observer: String

        init() throws {
            cluster = try Cluster()
            http = RawHTTP(base: cluster.server.url)
            admin = try cluster.replica("central")
            observer = try cluster.replica("observer", role: "viewer")
            try cluster.sync(admin)
            try expectSuccess(cluster.plansync(admin, "set", TrustTests.id, "comment", "written by the central team"))
            try cluster.sync(admin)
            try cluster.sync(observer)
            let status = try cluster.plansync(admin, "status")
            adminID = String(status.stdout.split(separator: "\n").first { $0.hasPrefix("replica id: ") }!.dropFirst(12))
        }

        /// The stored record as JSON, and the server's whole state as pulled by an admin, to compare after.
        func stored(token: String) async throws -> (record: [String: Any], everything: String) {
            let (_, body) = try await http.send(.GET, "/v1/pull?since=0&limit=5000", token: token)
            let page = try json(body) as! [String: Any]
            let record = (page["records"] as! [[String: Any]]).first { $0["id"] as? String == TrustTests.id }!
            let records = try JSONSerialization.data(withJSONObject: page["records"]!, options: .sortedKeys)
            return (record, String(decoding: records, as: UTF8.self))
        }

        func push(_ record: [String: Any], as replica: String, token: String) async throws -> (status: Int, body: String) {
            let body = try JSONSerialization.data(withJSONObject: ["replica": replica, "records": [record]])
            return try await http.send(.POST, "/v1/push", token: token, body: body)
        }

        /// After an attack: nothing stored changed, and the central team's next edit reaches the viewer.
        func expectUnharmed(before: String, token: String, sourceLocation: SourceLocation = #_sourceLocation)
            async throws
        {
            #expect(try await stored(token: token).everything == before, "a refused push changed the server", sourceLocation: sourceLocation)
            try expectSuccess(cluster.plansync(admin, "set", TrustTests.id, "comment", "after the attack"), sourceLocation: sourceLocation)
            try cluster.sync(admin)
            try cluster.sync(observer)
            let shown = try cluster.plansync(observer, "show", TrustTests.id)
            #expect(shown.stdout.contains("after the attack"), "\(shown)", sourceLocation: sourceLocation)
        }
    }

    static func entry(replica: String, counter: Int, wall: UInt64, logical: UInt64 = 0) -> [String: Any] {
        ["r": replica, "n": counter, "t": wall, "l": logical]
    }

    /// `record` with one new draft translation of its comment, the first write of `replica`.
    static func translated(
        _ record: [String: Any], into language: String, by replica: String, text: String, wall: UInt64,
        logical: UInt64 = 0, raising other: String? = nil
    ) -> [String: Any] {
        var forged = record
        var context = forged["context"] as! [String: Any]
        context[replica] = 1
        if let other { context[other] = (context[other] as! Int) + 50 }
        forged["context"] = context
        var translation = entry(replica: replica, counter: 1, wall: wall, logical: logical)
        translation["v"] = text
        translation["status"] = "draft"
        translation["source"] = "0000000000000000"
        forged["translations"] = [language: ["comment": [translation]]]
        return forged
    }

    static var now: UInt64 { UInt64(Date().timeIntervalSince1970 * 1000) }

    /// Case 17: a translator's entry with t = 2^63 − 1 and l = 2^32 − 1 would freeze or crash every clock.
    @Test func aPoisonedTimestampIsRefusedAndEveryReplicaKeepsEditing() async throws {
        let world = try World()
        let token = try world.cluster.server.token(name: "es-translator", role: "translator", language: "es")
        let adminToken = try world.cluster.server.token(name: "audit", role: "admin")
        let (record, before) = try await world.stored(token: adminToken)
        let forged = Self.translated(
            record, into: "es", by: "es0000000000001", text: "texto", wall: 9_223_372_036_854_775_807,
            logical: 4_294_967_295)
        let answer = try await world.push(forged, as: "es0000000000001", token: token)
        #expect(answer.status == 400, "\(answer)")
        #expect(answer.body.contains(Self.id) && answer.body.contains("out of range"), "\(answer)")
        try await world.expectUnharmed(before: before, token: adminToken)
        // A replica created afterwards edits too.
        let late = try world.cluster.replica("late")
        try world.cluster.sync(late)
        try expectSuccess(world.cluster.plansync(late, "set", Self.id, "comment", "from a new replica"))
        try world.cluster.sync(late)
    }

    /// Case 15: a translator raises the context entry of the admin's replica by 50 beside a real translation.
    @Test func aForgedContextOfAnotherReplicaIsRefused() async throws {
        let world = try World()
        let token = try world.cluster.server.token(name: "fr-translator", role: "translator", language: "fr")
        let adminToken = try world.cluster.server.token(name: "audit", role: "admin")
        let (record, before) = try await world.stored(token: adminToken)
        let forged = Self.translated(
            record, into: "fr", by: "fr0000000000001", text: "écrit", wall: Self.now, raising: world.adminID)
        let answer = try await world.push(forged, as: "fr0000000000001", token: token)
        #expect(answer.status == 400, "\(answer)")
        #expect(answer.body.contains("overclaimed_context") && answer.body.contains(world.adminID), "\(answer)")
        try await world.expectUnharmed(before: before, token: adminToken)
    }

    /// Case 16: a viewer pushes the record unchanged but for one raised context entry.
    @Test(arguments: ["another", "own"])
    func aViewerChangesNothingNotEvenAContext(whose: String) async throws {
        let world = try World()
        let token = try world.cluster.server.token(name: "watcher", role: "viewer")
        let adminToken = try world.cluster.server.token(name: "audit", role: "admin")
        let (record, before) = try await world.stored(token: adminToken)
        var forged = record
        var context = forged["context"] as! [String: Any]
        let raised = whose == "own" ? "viewer000000001" : world.adminID
        context[raised] = ((context[raised] as? Int) ?? 0) + 1
        forged["context"] = context
        let answer = try await world.push(forged, as: "viewer000000001", token: token)
        #expect(answer.status == (whose == "own" ? 403 : 400), "\(answer)")
        #expect(answer.body.contains(Self.id), "\(answer)")
        try await world.expectUnharmed(before: before, token: adminToken)
    }

    /// A resolution signed with another person's name (a translator passing its settlement off as the central
    /// team's) is refused.
    @Test func aResolutionSignedWithAnotherNameIsRefused() async throws {
        let world = try World()
        let token = try world.cluster.server.token(name: "fr-translator", role: "translator", language: "fr")
        let adminToken = try world.cluster.server.token(name: "audit", role: "admin")
        let (record, before) = try await world.stored(token: adminToken)
        var forged = Self.translated(record, into: "fr", by: "fr0000000000001", text: "réglé", wall: Self.now)
        var translations = forged["translations"] as! [String: [String: [[String: Any]]]]
        translations["fr"]!["comment"]![0]["resolved"] = ["by": "central", "at": Self.now, "superseded": ["a", "b"]]
        forged["translations"] = translations
        let answer = try await world.push(forged, as: "fr0000000000001", token: token)
        #expect(answer.status == 403 && answer.body.contains("signed 'central'"), "\(answer)")
        try await world.expectUnharmed(before: before, token: adminToken)
    }

    /// A push that says it is recovering from a restore is not a way round the checks: what cannot be believed
    /// is left out, and a viewer's raised context changes nothing.
    @Test func aLyingRecoveringPushChangesNothingItMayNot() async throws {
        let world = try World()
        let token = try world.cluster.server.token(name: "watcher", role: "viewer")
        let adminToken = try world.cluster.server.token(name: "audit", role: "admin")
        let (record, before) = try await world.stored(token: adminToken)
        var forged = record
        var context = forged["context"] as! [String: Any]
        context[world.adminID] = (context[world.adminID] as! Int) + 50
        forged["context"] = context
        let body = try JSONSerialization.data(
            withJSONObject: ["replica": "viewer000000001", "records": [forged], "recover": true])
        let answer = try await world.http.send(.POST, "/v1/push", token: token, body: body)
        #expect(answer.status == 200 && answer.body.contains("\"changed\":0"), "\(answer)")
        #expect(answer.body.contains("\"partial\":[\"\(Self.id)\"]"), "\(answer)")
        try await world.expectUnharmed(before: before, token: adminToken)
    }

    /// What a replica says of the server's history is checked: a malformed position is refused, and one the
    /// server never issued sends only that replica back to pull everything again; nothing stored changes.
    @Test func aForgedHistoryPositionHarmsNobodyElse() async throws {
        let world = try World()
        let token = try world.cluster.server.token(name: "audit", role: "admin")
        let (_, before) = try await world.stored(token: token)
        let garbage = try await world.http.send(
            .GET, "/v1/pull?since=0&limit=1", token: token, headers: [("PlanSync-History", "not a position")])
        #expect(garbage.status == 400 && garbage.body.contains("EPOCH:SEQ"), "\(garbage)")
        let unknown = try await world.http.send(
            .GET, "/v1/pull?since=0&limit=1", token: token, headers: [("PlanSync-History", "feedface00000000:99999")])
        #expect(unknown.status == 409 && unknown.body.contains("\"resume\":0"), "\(unknown)")
        try await world.expectUnharmed(before: before, token: token)
    }

    /// Case 18: a translator names the admin's replica as the pusher.
    @Test func aReplicaIdOfAnotherTokenIsRefused() async throws {
        let world = try World()
        let token = try world.cluster.server.token(name: "ar-translator", role: "translator", language: "ar")
        let adminToken = try world.cluster.server.token(name: "audit", role: "admin")
        let (record, before) = try await world.stored(token: adminToken)
        let answer = try await world.push(record, as: world.adminID, token: token)
        #expect(answer.status == 403 && answer.body.contains("belongs to another token"), "\(answer)")
        let pull = try await world.http.send(.GET, "/v1/pull?since=0&limit=1&replica=\(world.adminID)", token: token)
        #expect(pull.status == 403, "\(pull)")
        try await world.expectUnharmed(before: before, token: adminToken)
        // The admin's replica still receives what others write.
        let other = try world.cluster.replica("other")
        try world.cluster.sync(other)
        try expectSuccess(world.cluster.plansync(other, "set", Self.id, "comment", "from other"))
        try world.cluster.sync(other)
        try world.cluster.sync(world.admin)
        #expect(try world.cluster.plansync(world.admin, "show", Self.id).stdout.contains("from other"))
    }

    /// An entry in another replica's name that the server never received, and an altered held entry.
    @Test func writesInAnotherReplicasNameAreRefused() async throws {
        let world = try World()
        let token = try world.cluster.server.token(name: "second-admin", role: "admin")
        let (record, before) = try await world.stored(token: token)
        var forged = record
        var context = forged["context"] as! [String: Any]
        context["someone00000001"] = 1
        forged["context"] = context
        var fields = forged["fields"] as! [String: Any]
        var comment = Self.entry(replica: "someone00000001", counter: 1, wall: Self.now)
        comment["v"] = "not mine"
        fields["comment"] = [comment]
        forged["fields"] = fields
        let answer = try await world.push(forged, as: "mine00000000001", token: token)
        #expect(answer.status == 400 && answer.body.contains("someone00000001"), "\(answer)")

        var altered = record
        var alteredFields = altered["fields"] as! [String: Any]
        var title = (alteredFields["title"] as! [[String: Any]])[0]
        title["v"] = "a title nobody wrote"
        alteredFields["title"] = [title]
        altered["fields"] = alteredFields
        let second = try await world.push(altered, as: "mine00000000001", token: token)
        #expect(second.status == 400 && second.body.contains("altered_entry"), "\(second)")
        try await world.expectUnharmed(before: before, token: token)
    }

    /// A field laptop whose clock runs 50 years ahead (a dead CMOS battery; `datefudge` sets the real binary's
    /// clock): its edit is refused by the server, the sync says so in one line, the edit stays queued and no
    /// replica adopts the date; once the clock is right, the next sync re-dates the edit and delivers it.
    @Test func anEditMadeWithAClockFarAheadWaitsAndArrivesOnceTheClockIsRight() async throws {
        let world = try World()
        let field = try world.cluster.replica("field-office-laptop")
        try world.cluster.sync(field)
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        let ahead = formatter.string(from: Date().addingTimeInterval(50 * 365 * 86_400 + 86_400))
        func onTheLaptop(_ arguments: String...) throws -> CommandResult {
            try runTool("datefudge", [ahead, Binaries.path("plansync")] + arguments + ["--replica", field])
        }
        try expectSuccess(onTheLaptop("set", Self.id, "comment", "typed with a dead battery"))
        let early = try onTheLaptop("sync")
        #expect(early.status == 0, "\(early)")
        #expect(
            early.stderr == "plansync: this device's clock is 50 years ahead of the server's; set it right: queued "
                + "edits wait until then (nothing is lost)\n", "\(early)")
        #expect(try world.cluster.plansync(field, "status").stdout.contains("queued records: 1"))
        try world.cluster.sync(world.observer)
        #expect(!(try world.cluster.plansync(world.observer, "show", Self.id).stdout.contains("dead battery")))

        // The clock is set right: the same replica's next sync re-dates the edit and delivers it.
        let fixed = try world.cluster.plansync(field, "sync")
        #expect(fixed.status == 0 && fixed.stderr.isEmpty, "\(fixed)")
        #expect(try world.cluster.plansync(field, "status").stdout.contains("queued records: 0"))
        try world.cluster.sync(world.observer)
        #expect(try world.cluster.plansync(world.observer, "show", Self.id).stdout.contains("dead battery"))
        // Its clock is back to now: its next edit is accepted at once.
        try expectSuccess(world.cluster.plansync(field, "set", Self.id, "status", "completed"))
        let next = try world.cluster.plansync(field, "sync", "--json")
        #expect(next.status == 0 && next.stdout.contains("\"pushedChanged\" : 1"), "\(next)")
    }

    /// A device whose clock is days behind syncs normally and is told so in one line.
    @Test func aClockFarBehindIsSaidInOneLine() throws {
        let world = try World()
        let field = try world.cluster.replica("behind")
        try world.cluster.sync(field)
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        let behind = formatter.string(from: Date().addingTimeInterval(-3 * 86_400 - 3_600))
        let laptop = { (arguments: [String]) in
            try runTool("datefudge", [behind, Binaries.path("plansync")] + arguments + ["--replica", field])
        }
        try expectSuccess(laptop(["set", Self.id, "comment", "typed three days in the past"]))
        let sync = try laptop(["sync"])
        #expect(sync.status == 0, "\(sync)")
        #expect(sync.stderr == "plansync: this device's clock is 3 days behind the server's; set it right\n", "\(sync)")
        try world.cluster.sync(world.observer)
        #expect(try world.cluster.plansync(world.observer, "show", Self.id).stdout.contains("three days in the past"))
    }

    /// The line a sync prints when the device's clock is off by more than the bound.
    @Test func aClockFarOffIsSaidInOneLine() {
        var report = SyncReport()
        report.clockSkew = 50 * 365 * 86_400_000
        report.clockRefused = true
        #expect(report.clockWarning == "this device's clock is 50 years ahead of the server's; set it right: queued edits wait until then (nothing is lost)")
        report.clockSkew = -3 * 3_600_000
        report.clockRefused = false
        #expect(report.clockWarning == "this device's clock is 3 hours behind the server's; set it right")
        report.clockSkew = 60_000
        #expect(report.clockWarning == nil)
    }
}

/// The smaller holes of issue 10 that live on the server.
@Suite("Server answers that say nothing they should not")
struct ServerAnswerTests {
    @Test func aRevokedTokensNameIsGivenToItsHoldersNewToken() throws {
        let cluster = try Cluster()
        _ = try cluster.server.token(name: "kabul", role: "office", office: "AFG")
        let live = try run(
            "plansync-server", ["token", "create", "--data", cluster.server.data, "--name", "kabul", "--role", "viewer"])
        #expect(live.status != 0 && live.stderr.contains("already exists"), "\(live)")
        try expectSuccess(run("plansync-server", ["token", "revoke", "--data", cluster.server.data, "--name", "kabul"]))
        let reused = try cluster.server.token(name: "kabul", role: "office", office: "AFG")
        #expect(reused.hasPrefix("ps_"))
    }

    @Test func anOfficeLearnsNothingOfAnotherOfficesActivity() async throws {
        let cluster = try Cluster()
        let http = RawHTTP(base: cluster.server.url)
        let office = try cluster.server.token(name: "kabul", role: "office", office: "AFG")
        let before = try await http.latest(token: office)
        let central = try cluster.replica("central")
        try cluster.sync(central)
        try expectSuccess(
            cluster.plansync(
                central, "report", "add", "--activity", "iasc-protection-policy/A.1/1", "--office", "SYR", "--period", "2017-Q4",
                "--status", "on-track"))
        try cluster.sync(central)
        #expect(try await http.latest(token: office) == before, "an office saw another office's report move latest")
    }
}

/// How the server answers what it cannot serve: a full disk, a body it refused before reading, another
/// office's report.
@Suite("Server answers under duress")
struct ServerDuressTests {
    /// Another office's report answers the same whether it exists or not: nothing is learnt from the answer.
    @Test func anotherOfficesReportIsEvictedWhetherItExistsOrNot() async throws {
        let cluster = try Cluster()
        let http = RawHTTP(base: cluster.server.url)
        let central = try cluster.replica("central")
        try cluster.sync(central)
        let activity = "iasc-protection-policy/A.1/1"
        try expectSuccess(
            cluster.plansync(
                central, "report", "add", "--activity", activity, "--office", "SYR", "--period", "2017-Q4",
                "--status", "on-track"))
        try cluster.sync(central)
        let admin = try cluster.server.token(name: "audit", role: "admin")
        let (_, page) = try await http.send(.GET, "/v1/pull?since=0&limit=5000", token: admin)
        let records = (try json(page) as! [String: Any])["records"] as! [[String: Any]]
        var existing = try #require(records.first { ($0["id"] as! String).hasPrefix("\(activity)/report/SYR/") })
        let before = try JSONSerialization.data(withJSONObject: records, options: .sortedKeys)
        let office = try cluster.server.token(name: "kabul", role: "office", office: "AFG")
        existing["context"] = (existing["context"] as! [String: Any]).merging(["kabul000000001": 1]) { $1 }
        var missing = existing
        missing["id"] = "\(activity)/report/SYR/2016"
        var answers: [NSDictionary] = []
        for record in [existing, missing] {
            let body = try JSONSerialization.data(withJSONObject: ["replica": "kabul000000001", "records": [record]])
            let (status, answer) = try await http.send(.POST, "/v1/push", token: office, body: body)
            #expect(status == 200, "\(answer)")
            answers.append(try json(answer.replacingOccurrences(of: record["id"] as! String, with: "ID")) as! NSDictionary)
        }
        #expect(answers[0] == answers[1], "the answers tell an existing report from a missing one: \(answers)")
        #expect(answers[0]["evicted"] as? [String] == ["ID"], "\(answers[0])")
        let (_, after) = try await http.send(.GET, "/v1/pull?since=0&limit=5000", token: admin)
        let afterRecords = (try json(after) as! [String: Any])["records"]!
        #expect(try JSONSerialization.data(withJSONObject: afterRecords, options: .sortedKeys) == before)
    }

    /// A client that sends its whole body before reading (Python's urllib) gets the 401 of a request without a
    /// token, even with a 12 MiB body.
    @Test func aBodyRefusedBeforeItIsReadIsStillAnswered() throws {
        let cluster = try Cluster()
        let script = """
            import sys, urllib.request, urllib.error
            request = urllib.request.Request(sys.argv[1] + "/v1/push", data=b"x" * (12 * 1024 * 1024), method="POST")
            try:
                urllib.request.urlopen(request, timeout=20)
                print("no error")
            except urllib.error.HTTPError as error:
                print(error.code, error.read().decode())
            """
        let result = try runTool("python3", ["-c", script, cluster.server.url])
        #expect(result.stdout.hasPrefix("401 ") && result.stdout.contains("unauthorized"), "\(result)")
    }

    /// A full disk is a JSON 507 naming the problem; nothing is lost, and the sync goes through once there is
    /// room again.
    @Test(.enabled(if: getuid() == 0, "mounts a small tmpfs, which needs root (CI runs as root)"))
    func aFullDiskIsA507AndTheEditArrivesOnceThereIsRoom() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let mount = directory.file("small-disk")
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
        try expectSuccess(runTool("mount", ["-t", "tmpfs", "-o", "size=6m", "tmpfs", mount]))
        defer { _ = try? runTool("umount", ["-l", mount]) }
        let server = try ServerProcess.start(data: mount + "/data")
        defer { server.stop(signal: SIGKILL) }
        let token = try server.token(name: "central", role: "admin")
        let replica = directory.file("central.sqlite")
        try expectSuccess(run("plansync", ["init", "--replica", replica, "--server", server.url, "--token", token]))
        try expectSuccess(run("plansync", ["sync", "--replica", replica]))
        let id = "iasc-protection-policy/A.1/1"
        try expectSuccess(run("plansync", ["set", id, "comment", String(repeating: "a long field report. ", count: 400), "--replica", replica]))
        // Fill what is left of the disk.
        _ = try runTool("dd", ["if=/dev/zero", "of=\(mount)/filler", "bs=64k"])
        let full = try run("plansync", ["sync", "--replica", replica])
        #expect(full.status != 0 && full.stderr.contains("507") && full.stderr.contains("disk is full"), "\(full)")
        #expect(full.stderr.split(separator: "\n").count == 1, "\(full)")
        #expect(try run("plansync", ["status", "--replica", replica]).stdout.contains("queued records: 1"))
        try FileManager.default.removeItem(atPath: mount + "/filler")
        try expectSuccess(run("plansync", ["sync", "--replica", replica]))
        #expect(try run("plansync", ["status", "--replica", replica]).stdout.contains("queued records: 0"))
    }
}
