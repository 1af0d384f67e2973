import Foundation
import PlanSyncTestSupport
import Testing

/// The newcomer's walkthrough with the real binaries: a server, three replicas editing offline, syncs in
/// shuffled orders, a conflict, its resolution, and agreement.
@Suite("Walkthrough with real binaries", .serialized)
struct WalkthroughTests {
    static let plan = "iasc-protection-policy"

    @Test func threeReplicasConvergeWhateverTheSyncOrder() throws {
        let cluster = try Cluster()
        let replicas = try ["alice", "bruno", "carol"].map { try cluster.replica($0) }
        for replica in replicas { try cluster.sync(replica) }
        let (a, b, c) = (replicas[0], replicas[1], replicas[2])

        // Offline edits on every replica.
        try expectSuccess(cluster.plansync(a, "set", "\(Self.plan)/A.1/1", "comment", "Letter sent on 3 October"))
        try expectSuccess(cluster.plansync(b, "set", "\(Self.plan)/A.1/1", "comment", "Letter delayed to November"))
        try expectSuccess(cluster.plansync(c, "add", "\(Self.plan)/A.2/2", "focal_points", "OCHA Geneva"))
        try expectSuccess(cluster.plansync(b, "set", "\(Self.plan)/C.1/1", "status", "delayed"))
        try expectSuccess(cluster.plansync(a, "set", "\(Self.plan)/C.1/1", "status", "completed"))
        try expectSuccess(cluster.plansync(c, "remove", "\(Self.plan)/A.1/1", "focal_points", "ERC"))
        try expectSuccess(cluster.plansync(a, "add", "\(Self.plan)/A.1/1", "focal_points", "ERC"))

        var rng = SeededGenerator(seed: 2)
        for _ in 0..<2 {
            for replica in replicas.shuffled(using: &rng) { try cluster.sync(replica) }
        }
        let dumps = try replicas.map { try cluster.dump($0) }
        #expect(Set(dumps).count == 1, "replicas disagree after syncing")

        let conflicts = try json(cluster.plansync(a, "conflicts", "--json").stdout) as! [[String: Any]]
        #expect(conflicts.count == 1)
        #expect(conflicts.first?["id"] as? String == "\(Self.plan)/A.1/1")
        #expect(conflicts.first?["field"] as? String == "comment")
        #expect(
            Set(conflicts.first?["candidates"] as? [String] ?? [])
                == ["Letter sent on 3 October", "Letter delayed to November"])

        let record = try Self.record("\(Self.plan)/C.1/1", in: dumps[0])
        #expect((record["fields"] as! [String: Any])["status"] as? String == "completed", "the later status wins")
        let a1 = try Self.record("\(Self.plan)/A.1/1", in: dumps[0])
        #expect(((a1["fields"] as! [String: Any])["focal_points"] as? [String])?.contains("ERC") == true, "add wins")

        try expectSuccess(cluster.plansync(c, "resolve", "\(Self.plan)/A.1/1", "comment", "Drafted 3 October, sent in November"))
        for replica in [c, a, b] { try cluster.sync(replica) }
        let resolved = try replicas.map { try cluster.dump($0) }
        #expect(Set(resolved).count == 1)
        #expect(try cluster.plansync(b, "conflicts", "--json").stdout.contains("[") )
        #expect((try json(cluster.plansync(b, "conflicts", "--json").stdout) as! [Any]).isEmpty)

        let shown = try json(cluster.plansync(b, "show", "\(Self.plan)/A.1/1", "--json").stdout) as! [String: Any]
        let comment = (shown["fields"] as! [[String: Any]]).first { $0["name"] as? String == "comment" }!
        #expect(comment["value"] as? String == "Drafted 3 October, sent in November")
        let resolution = comment["resolution"] as? [String: Any]
        #expect(resolution?["by"] as? String == "carol")
        #expect((resolution?["superseded"] as? [String])?.count == 2)
        // Printed JSON says when in ISO 8601; the text form as a date.
        #expect((resolution?["at"] as? String)?.contains(#/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/#) == true)
        let text = try cluster.plansync(b, "show", "\(Self.plan)/A.1/1").stdout
        #expect(text.contains(#/resolved by carol on \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/#), "\(text)")
    }

    @Test func aNewReplicaHoldsBothBundledPlans() throws {
        let cluster = try Cluster()
        let replica = try cluster.replica("viewer", role: "viewer")
        try cluster.sync(replica)
        let list = try json(cluster.plansync(replica, "list", "--json").stdout) as! [[String: Any]]
        let ids = Set(list.compactMap { $0["id"] as? String })
        for code in ["A.1", "A.2", "B.1", "C.1", "C.2", "C.3", "C.4", "D.1", "D.2", "D.3"] {
            #expect(ids.contains("iasc-protection-policy/\(code)"))
        }
        for code in ["1.1", "1.2", "1.3", "2.1", "2.2", "3.1", "3.2", "3.3", "3.4", "3.5"] {
            #expect(ids.contains("iasc-aap-psea-workplan/\(code)"))
        }
        let a1 = try json(cluster.plansync(replica, "show", "iasc-protection-policy/A.1", "--json").stdout) as! [String: Any]
        let title = (a1["fields"] as! [[String: Any]]).first { $0["name"] as? String == "title" }?["value"] as? String
        #expect(title?.hasPrefix("Provide key stakeholders with tools and materials") == true)
    }

    @Test func initIsHarmlessTwiceAndRefusesAnotherServer() throws {
        let cluster = try Cluster()
        let path = try cluster.replica("alice")
        try cluster.sync(path)
        let before = try cluster.dump(path)
        let token = try cluster.server.token(name: "alice-2", role: "admin")
        try expectSuccess(run("plansync", ["init", "--replica", path, "--server", cluster.server.url, "--token", token]))
        #expect(try cluster.dump(path) == before)

        let other = try Cluster()
        let otherToken = try other.server.token(name: "x", role: "admin")
        let refused = try run("plansync", ["init", "--replica", path, "--server", other.server.url, "--token", otherToken])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("another server"))
        #expect(refused.stderr.split(separator: "\n").count == 1, "one-line error")
    }

    @Test func replicaComesFromTheEnvironment() throws {
        let cluster = try Cluster()
        let path = try cluster.replica("alice")
        let result = try run("plansync", ["sync"], environment: ["PLANSYNC_REPLICA": path])
        try expectSuccess(result)
        #expect(try run("plansync", ["list"], environment: ["PLANSYNC_REPLICA": path]).stdout.contains("iasc-protection-policy/A.1"))
    }

    @Test func syncAgainstAStoppedServerFailsInOneLineAndLosesNothing() throws {
        let cluster = try Cluster()
        let path = try cluster.replica("alice")
        try cluster.sync(path)
        try expectSuccess(cluster.plansync(path, "set", "\(Self.plan)/A.1", "comment", "typed offline"))
        cluster.server.stop()
        let failed = try cluster.plansync(path, "sync")
        #expect(failed.status != 0)
        #expect(failed.stderr.contains("nothing was lost"))
        #expect(failed.stderr.trimmingCharacters(in: .newlines).split(separator: "\n").count == 1)
        let restarted = try ServerProcess.start(data: cluster.server.data, port: cluster.server.port)
        defer { restarted.stop() }
        try cluster.sync(path)
        let viewer = try run(
            "plansync",
            ["init", "--replica", cluster.directory.file("v.sqlite"), "--server", restarted.url, "--token",
                try restarted.token(name: "v", role: "viewer")])
        try expectSuccess(viewer)
        try cluster.sync(cluster.directory.file("v.sqlite"))
        #expect(try cluster.dump(cluster.directory.file("v.sqlite")).contains("typed offline"))
    }

    static func record(_ id: String, in dump: String) throws -> [String: Any] {
        let records = (try json(dump) as! [String: Any])["records"] as! [[String: Any]]
        return try #require(records.first { $0["id"] as? String == id })
    }
}
