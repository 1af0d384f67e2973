import Foundation
import PlanSyncTestSupport
import Testing

/// Operating the server on PostgreSQL: a backup with `pg_dump` restored into a new database is noticed by the
/// replicas exactly like a SQLite restore (CAUSALITY case 19), and nginx balances replicas over two instances,
/// one of which is killed. Real binaries, a real database, a real nginx.
@Suite(
    "PostgreSQL operations", .serialized,
    .enabled(if: TestDatabase.enabled, Comment(rawValue: TestDatabase.skipReason)))
struct PostgresOperationsTests {
    static let ids = BackupTests.ids

    @Test func aDatabaseRestoredFromAPgDumpLosesNoAcknowledgedEdit() async throws {
        let instances = try Instances(2)
        let url = instances.database.url
        let amman = try instances.replica("amman", through: instances[0].url)
        let dakar = try instances.replica("dakar", through: instances[1].url)
        for replica in [amman, dakar] { try expectSuccess(instances.plansync(replica.path, "sync")) }
        try expectSuccess(instances.plansync(amman.path, "set", Self.ids[0], "comment", "before the backup"))
        try expectSuccess(instances.plansync(amman.path, "sync"))

        let copy = instances.directory.file("plansync.sql")
        let backup = try run("plansync-server", ["backup", "--database", url, "--output", copy])
        try expectSuccess(backup)
        #expect(backup.stdout.hasPrefix("backed up "), "\(backup)")
        let again = try run("plansync-server", ["backup", "--database", url, "--output", copy])
        #expect(again.status == 64 && again.stderr.contains("already exists"), "\(again)")

        // Edits the copy lacks, acknowledged by both instances.
        try expectSuccess(instances.plansync(amman.path, "set", Self.ids[0], "comment", "amman after the backup"))
        try expectSuccess(instances.plansync(dakar.path, "set", Self.ids[1], "comment", "dakar after the backup"))
        try expectSuccess(
            instances.plansync(dakar.path, "translate", Self.ids[1], "comment", "--lang", "fr", "dakar en français"))
        for replica in [amman, dakar, amman] { try expectSuccess(instances.plansync(replica.path, "sync")) }

        // The database goes back: both instances stopped, an empty database, the copy loaded.
        for index in 0..<2 { instances[index].stop() }
        let notEmpty = try run("plansync-server", ["restore", "--database", url, "--from", copy])
        #expect(notEmpty.status == 64 && notEmpty.stderr.contains("already holds PlanSync data"), "\(notEmpty)")
        try instances.database.recreate()
        let notBackup = instances.directory.file("notes.txt")
        try "not a dump".write(toFile: notBackup, atomically: true, encoding: .utf8)
        let wrong = try run("plansync-server", ["restore", "--database", url, "--from", notBackup])
        #expect(wrong.status == 64 && wrong.stderr.contains("not a PlanSync server backup"), "\(wrong)")
        let restored = try run("plansync-server", ["restore", "--database", url, "--from", copy])
        try expectSuccess(restored)
        #expect(restored.stdout.hasPrefix("restored "), "\(restored)")
        for index in 0..<2 { try instances.restart(index) }
        for (replica, index) in [(amman, 0), (dakar, 1)] {
            try expectSuccess(
                run(
                    "plansync",
                    ["init", "--replica", replica.path, "--server", instances[index].url, "--token", replica.token]))
        }

        // A replica created after the restore writes first: its changes take sequences the others had passed.
        let late = try instances.replica("late", through: instances[0].url)
        try expectSuccess(instances.plansync(late.path, "sync"))
        try expectSuccess(instances.plansync(late.path, "set", Self.ids[0], "status", "completed"))
        try expectSuccess(instances.plansync(late.path, "sync"))

        let first = try instances.plansync(dakar.path, "sync")
        try expectSuccess(first)
        #expect(first.stdout.contains("the server went back"), "\(first)")
        for _ in 0..<2 {
            for replica in [amman, dakar, late] { try expectSuccess(instances.plansync(replica.path, "sync")) }
        }
        let fresh = try instances.replica("fresh", through: instances[1].url)
        try expectSuccess(instances.plansync(fresh.path, "sync"))
        let dumps = try [amman, dakar, late, fresh].map { try instances.dump($0.path) }
        #expect(Set(dumps).count == 1, "replicas disagree after the restore")
        let shown =
            try instances.plansync(fresh.path, "show", Self.ids[0]).stdout
            + instances.plansync(fresh.path, "show", Self.ids[1]).stdout
            + instances.plansync(fresh.path, "show", Self.ids[1], "--lang", "fr").stdout
        for text in ["amman after the backup", "dakar after the backup", "dakar en français", "completed"] {
            #expect(shown.contains(text), "lost: \(text)\n\(shown)")
        }
    }

    @Test func nginxBalancesReplicasOverTwoInstancesAndRoutesAroundAKilledOne() async throws {
        let instances = try Instances(2)
        let balancer = try Nginx(upstreams: [instances[0].port, instances[1].port], in: instances.directory)
        defer { balancer.stop() }
        let replicas = try (0..<3).map { try instances.replica("office\($0)", through: balancer.url) }
        for replica in replicas { try expectSuccess(instances.plansync(replica.path, "sync")) }
        for (index, replica) in replicas.enumerated() {
            try expectSuccess(instances.plansync(replica.path, "set", Self.ids[0], "comment", "office \(index)"))
            try expectSuccess(instances.plansync(replica.path, "sync"))
        }
        let log = try String(contentsOfFile: balancer.accessLog, encoding: .utf8)
        for index in 0..<2 {
            #expect(log.contains("127.0.0.1:\(instances[index].port)"), "instance \(index) got no request:\n\(log)")
        }

        instances[1].stop(signal: SIGKILL)
        for (index, replica) in replicas.enumerated() {
            try expectSuccess(
                instances.plansync(replica.path, "set", Self.ids[1], "comment", "after the kill \(index)"))
        }
        for _ in 0..<2 {
            for replica in replicas { try expectSuccess(instances.plansync(replica.path, "sync")) }
        }
        let dumps = try replicas.map { try instances.dump($0.path) }
        #expect(Set(dumps).count == 1, "replicas behind nginx disagree")
        let shown = try instances.plansync(replicas[0].path, "show", Self.ids[1]).stdout
        for index in 0..<3 { #expect(shown.contains("after the kill \(index)"), "\(shown)") }
    }
}

/// nginx in the foreground as a load balancer over loopback instances, with its configuration, pid and logs in
/// a folder of its own.
struct Nginx {
    let url: String
    let accessLog: String
    private let process: Process

    init(upstreams: [Int], in directory: TemporaryDirectory) throws {
        let folder = directory.file("nginx")
        for sub in ["", "/temp"] {
            try FileManager.default.createDirectory(atPath: folder + sub, withIntermediateDirectories: true)
        }
        let port = try freePort()
        accessLog = folder + "/access.log"
        let configuration = """
            daemon off;
            worker_processes 1;
            pid \(folder)/nginx.pid;
            error_log \(folder)/error.log;
            events { worker_connections 256; }
            http {
                log_format upstream '$request $status $upstream_addr';
                access_log \(accessLog) upstream;
                client_body_temp_path \(folder)/temp/body;
                proxy_temp_path \(folder)/temp/proxy;
                fastcgi_temp_path \(folder)/temp/fastcgi;
                uwsgi_temp_path \(folder)/temp/uwsgi;
                scgi_temp_path \(folder)/temp/scgi;
                upstream plansync {
            \(upstreams.map { "        server 127.0.0.1:\($0) max_fails=1 fail_timeout=30s;" }.joined(separator: "\n"))
                }
                server {
                    listen 127.0.0.1:\(port);
                    client_max_body_size 16m;
                    location / {
                        proxy_pass http://plansync;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_read_timeout 120s;
                        # A refused connection sends nothing: the request goes to the next instance.
                        proxy_next_upstream error timeout;
                    }
                }
            }

            """
        let path = folder + "/nginx.conf"
        try configuration.write(toFile: path, atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        process.arguments = ["-c", path, "-p", folder, "-e", folder + "/error.log"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        url = "http://127.0.0.1:\(port)"
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let result = try? runTool("curl", ["-sf", url + "/health"]), result.status == 0 { return }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        process.terminate()
        let errors = (try? String(contentsOfFile: folder + "/error.log", encoding: .utf8)) ?? ""
        throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "nginx did not start: \(errors)"])
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        waitForExit(process, killingAfter: 60)
    }
}
