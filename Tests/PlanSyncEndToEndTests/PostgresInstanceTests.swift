import Foundation
import PlanSyncTestSupport
import Synchronization
import Testing

/// The server on PostgreSQL with several instances: any instance answers any request, one seeding for
/// instances started together, a revocation seen by all, and an instance killed in the middle of a push loses
/// nothing. Real binaries, a real database (`PLANSYNC_TEST_DATABASE_URL`; under CI its absence fails).
@Suite("PostgreSQL, several instances", .enabled(if: TestDatabase.enabled, Comment(rawValue: TestDatabase.skipReason)))
struct PostgresInstanceTests {
    @Test func instancesStartedTogetherOnAnEmptyDatabaseSeedItOnceAndShareOneServer() async throws {
        let instances = try Instances(3)
        let database = instances.database
        #expect(try database.value("SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_version") == "1,2,3,4,5")
        let records = try Int(database.value("SELECT count(*) FROM record")) ?? 0
        #expect(records > 100, "the bundled plans are seeded")
        // Every record stored once: a second seeding would have taken sequences past the count.
        #expect(try database.value("SELECT max(seq) FROM record") == String(records))
        #expect(try database.value("SELECT count(*) FROM epoch") == "3", "one epoch per instance")
        let token = try instances[0].token(name: "alice", role: "admin")
        var servers = Set<String>()
        for index in 0..<instances.count {
            let (status, body) = try await RawHTTP(base: instances[index].url).send(.GET, "/v1/session", token: token)
            #expect(status == 200, "\(body)")
            servers.insert((try json(body) as! [String: Any])["server"] as! String)
        }
        #expect(servers.count == 1, "one server id for every instance: \(servers)")
        // Starting another instance later migrates and seeds nothing again.
        try instances.restart(0)
        #expect(try database.value("SELECT max(seq) FROM record") == String(records))
    }

    @Test func anyInstanceAnswersAnyReplicaAndARevokedTokenIsRefusedByAll() async throws {
        let instances = try Instances(3)
        let id = "iasc-protection-policy/A.1/1"
        let alice = try instances.replica("alice", through: instances[0].url)
        let bruno = try instances.replica("bruno", through: instances[1].url)
        let carla = try instances.replica("carla", role: "viewer", through: instances[2].url)
        for replica in [alice, bruno, carla] { try expectSuccess(instances.plansync(replica.path, "sync")) }
        try expectSuccess(instances.plansync(alice.path, "set", id, "comment", "written through instance 0"))
        try expectSuccess(instances.plansync(bruno.path, "set", id, "time_frame", "written through instance 1"))
        for replica in [alice, bruno, carla, alice] { try expectSuccess(instances.plansync(replica.path, "sync")) }
        let dumps = try [alice, bruno, carla].map { try instances.dump($0.path) }
        #expect(Set(dumps).count == 1, "replicas of three instances disagree")
        let shown = try instances.plansync(carla.path, "show", id).stdout
        #expect(shown.contains("written through instance 0") && shown.contains("written through instance 1"))

        // A replica id belongs to the token that first used it, whichever instance it used.
        let replicaID = try instances.plansync(alice.path, "status").stdout.firstMatch(of: /replica id: (\S+)/)?.1
        let stolen = try await RawHTTP(base: instances[2].url).send(
            .GET, "/v1/pull?since=0&limit=1&replica=\(replicaID ?? "")", token: bruno.token)
        #expect(stolen.status == 403, "\(stolen)")

        let revoked = try run("plansync-server", ["token", "revoke"] + instances[1].storage + ["--name", "carla"])
        try expectSuccess(revoked)
        for index in 0..<instances.count {
            let (status, _) = try await RawHTTP(base: instances[index].url).send(
                .GET, "/v1/session", token: carla.token)
            #expect(status == 401, "instance \(index) still accepts a revoked token")
        }
        let refused = try instances.plansync(carla.path, "sync")
        #expect(refused.status == 77, "\(refused)")
    }

    /// An instance killed with SIGKILL while a replica's push is in flight: the push either committed whole or
    /// not at all; the replica finishes its sync through another instance, and every replica, a new one
    /// included, holds every acknowledged edit.
    @Test func anInstanceKilledInTheMiddleOfAPushLosesNothingAcknowledged() async throws {
        let instances = try Instances(3)
        let ids = try instances.activityIDs()
        let replicas = try (0..<4).map { index in
            try instances.replica("office\(index)", through: instances[index % 3].url)
        }
        for replica in replicas { try expectSuccess(instances.plansync(replica.path, "sync")) }
        for (index, replica) in replicas.enumerated() {
            try expectSuccess(instances.plansync(replica.path, "set", ids[index], "comment", "acknowledged \(index)"))
            try expectSuccess(instances.plansync(replica.path, "sync"))
        }

        // The victim syncs through instance 2 with a large push: a French translation of every activity.
        let victim = replicas[2]
        let xlf = instances.directory.file("fr.xlf")
        try expectSuccess(instances.plansync(victim.path, "xliff", "export", "--lang", "fr", "--output", xlf))
        let exported = try String(contentsOfFile: xlf, encoding: .utf8)
        var unit = 0
        let edited = exported.replacing(/<target([^>]*)>(?s:.*?)<\/target>/) { match in
            unit += 1
            return "<target\(match.1)>traduction \(unit) pendant la panne</target>"
        }
        try edited.write(toFile: xlf, atomically: true, encoding: .utf8)
        try expectSuccess(instances.plansync(victim.path, "xliff", "import", xlf, "--force"))
        let sync = Process()
        sync.executableURL = URL(fileURLWithPath: Binaries.path("plansync"))
        sync.arguments = ["sync", "--replica", victim.path]
        sync.standardOutput = FileHandle.nullDevice
        sync.standardError = FileHandle.nullDevice
        let killed = instances[2]
        try sync.run()
        // The push is in the middle of its transaction once the database runs one of its writes (no other
        // replica is syncing now): kill the instance then.
        let writing = """
            SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
                AND state IN ('active', 'idle in transaction') AND query LIKE 'INSERT INTO record%'
            """
        let deadline = Date().addingTimeInterval(60)
        while try instances.database.value(writing) == "0", sync.isRunning, Date() < deadline {}
        kill(killed.processIdentifier, SIGKILL)
        let status = waitForExit(sync)
        // Cut by the kill (69: nothing lost, run it again); or, when the transaction committed before the signal
        // landed, done (0). Either way nothing acknowledged may be missing below.
        #expect([0, 69].contains(status), "the sync ended with \(status)")
        killed.stop(signal: SIGKILL)

        // The replica finishes through another instance: the same server, so the same replica file.
        try expectSuccess(
            run("plansync", ["init", "--replica", victim.path, "--server", instances[0].url, "--token", victim.token]))
        try expectSuccess(instances.plansync(victim.path, "sync"))
        #expect(try instances.plansync(victim.path, "status").stdout.contains("queued records: 0"))
        for _ in 0..<2 {
            for replica in replicas { try expectSuccess(instances.plansync(replica.path, "sync")) }
        }
        let fresh = try instances.replica("fresh", through: instances[1].url)
        try expectSuccess(instances.plansync(fresh.path, "sync"))
        let dumps = try (replicas + [fresh]).map { try instances.dump($0.path) }
        #expect(Set(dumps).count == 1, "replicas disagree after an instance was killed")
        for index in 0..<4 {
            #expect(try instances.plansync(fresh.path, "show", ids[index]).stdout.contains("acknowledged \(index)"))
        }
        let french = try instances.plansync(fresh.path, "show", ids[0], "--lang", "fr").stdout
        #expect(french.contains("pendant la panne"), "the interrupted push arrived whole: \(french)")
    }

    @Test func aBadOrUnreachableDatabaseIsOneLineNamingIt() throws {
        // A malformed command line is 64; a database that does not answer or refuses is 69.
        let cases: [(arguments: [String], says: String, status: Int32)] = [
            (["serve", "--database", "mysql://x@127.0.0.1/db"], "expected a URL postgres://", 64),
            (["serve", "--database", "postgres://127.0.0.1:5432/db"], "names no user", 64),
            (["serve"], "no data or database.url setting: give --data or --database", 78),
            (["backup", "--data", "d", "--database", "postgres://u@h/db", "--output", "x"], "not both", 64),
            (
                ["token", "revoke", "--database", "postgres://plansync@127.0.0.1:1/db", "--name", "x"],
                "cannot reach the database postgres://plansync@127.0.0.1:1/db: Connection refused", 69
            ),
        ]
        for (arguments, says, status) in cases {
            let result = try run("plansync-server", arguments, environment: ["PLANSYNC_DATABASE_URL": ""])
            #expect(result.status == status, "\(arguments): \(result)")
            let lines = result.stderr.split(separator: "\n").filter { !$0.hasPrefix("Usage") && !$0.hasPrefix("  See") }
            #expect(lines.count == 1 && result.stderr.contains(says), "\(arguments): \(result.stderr)")
        }
    }
}
