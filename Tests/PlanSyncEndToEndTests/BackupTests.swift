import Foundation
import PlanSyncTestSupport
import Testing

/// A server that goes back in time — restored from a backup, or an older data folder copied back by hand —
/// loses no acknowledged edit: its replicas notice at their next sync, push again what it lost, and every
/// replica and a new one agree (CAUSALITY case 19). Real binaries, a real server on loopback.
@Suite("Backups and restores")
struct BackupTests {
    static let ids = ["iasc-protection-policy/A.1/1", "iasc-protection-policy/A.1/2"]

    enum Rollback: String, CaseIterable { case backupCommand, handCopiedFolder }

    @Test(arguments: Rollback.allCases)
    func aServerThatWentBackLosesNoAcknowledgedEdit(how: Rollback) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let data = directory.file("data")
        var server = try ServerProcess.start(data: data)
        let port = server.port
        func replica(_ name: String, role: String = "admin") throws -> String {
            let token = try server.token(name: name, role: role)
            let path = directory.file("\(name).sqlite")
            try expectSuccess(run("plansync", ["init", "--replica", path, "--server", server.url, "--token", token]))
            return path
        }
        func plansync(_ path: String, _ arguments: String...) throws -> CommandResult {
            try run("plansync", arguments + ["--replica", path])
        }
        let amman = try replica("amman")
        let dakar = try replica("dakar")
        for path in [amman, dakar] { try expectSuccess(plansync(path, "sync")) }
        try expectSuccess(plansync(amman, "set", Self.ids[0], "comment", "before the backup"))
        try expectSuccess(plansync(amman, "sync"))

        // The copy.
        let copy = directory.file(how == .backupCommand ? "plansync.backup" : "data-copy")
        switch how {
        case .backupCommand:
            let backup = try run("plansync-server", ["backup", "--data", data, "--output", copy])
            try expectSuccess(backup)
            #expect(backup.stdout.hasPrefix("backed up "), "\(backup)")
        case .handCopiedFolder:
            server.stop()
            try FileManager.default.copyItem(atPath: data, toPath: copy)
            server = try ServerProcess.start(data: data, port: port)
        }

        // Edits the copy lacks, acknowledged by the server.
        try expectSuccess(plansync(amman, "set", Self.ids[0], "comment", "amman after the backup"))
        try expectSuccess(plansync(dakar, "set", Self.ids[1], "comment", "dakar after the backup"))
        try expectSuccess(plansync(dakar, "translate", Self.ids[1], "comment", "--lang", "fr", "dakar en français"))
        for path in [amman, dakar, amman] { try expectSuccess(plansync(path, "sync")) }

        // The server goes back.
        server.stop()
        switch how {
        case .backupCommand:
            let restored = try run("plansync-server", ["restore", "--data", data, "--from", copy])
            try expectSuccess(restored)
        case .handCopiedFolder:
            try FileManager.default.removeItem(atPath: data)
            try FileManager.default.copyItem(atPath: copy, toPath: data)
        }
        server = try ServerProcess.start(data: data, port: port)
        defer { server.stop(signal: SIGKILL) }

        // A replica created after the rollback writes first: its changes take sequences the others had passed.
        let late = try replica("late")
        try expectSuccess(plansync(late, "sync"))
        try expectSuccess(plansync(late, "set", Self.ids[0], "status", "completed"))
        try expectSuccess(plansync(late, "sync"))

        let first = try plansync(dakar, "sync")
        try expectSuccess(first)
        #expect(first.stdout.contains("the server went back"), "\(first)")
        for _ in 0..<2 {
            for path in [amman, dakar, late] { try expectSuccess(plansync(path, "sync")) }
        }
        let fresh = try replica("fresh")
        try expectSuccess(plansync(fresh, "sync"))
        let dumps = try [amman, dakar, late, fresh].map { path in
            let dump = try plansync(path, "dump", "--json")
            try expectSuccess(dump)
            return dump.stdout
        }
        #expect(Set(dumps).count == 1, "replicas disagree after the rollback")
        let shown = try plansync(fresh, "show", Self.ids[0]).stdout + plansync(fresh, "show", Self.ids[1]).stdout
            + plansync(fresh, "show", Self.ids[1], "--lang", "fr").stdout
        for text in ["amman after the backup", "dakar after the backup", "dakar en français", "completed"] {
            #expect(shown.contains(text), "lost: \(text)\n\(shown)")
        }
        for path in [amman, dakar] {
            #expect(try plansync(path, "status").stdout.contains("queued records: 0"))
        }
    }

    @Test func restoreRefusesARunningServerAndAFileThatIsNoBackup() throws {
        let cluster = try Cluster()
        let notBackup = cluster.directory.file("notes.txt")
        try "not a database".write(toFile: notBackup, atomically: true, encoding: .utf8)
        let wrong = try run("plansync-server", ["restore", "--data", cluster.server.data, "--from", notBackup])
        #expect(wrong.status != 0 && wrong.stderr.contains("not a PlanSync server backup"), "\(wrong)")
        let backup = cluster.directory.file("good.backup")
        try expectSuccess(run("plansync-server", ["backup", "--data", cluster.server.data, "--output", backup]))
        let again = try run("plansync-server", ["backup", "--data", cluster.server.data, "--output", backup])
        #expect(again.status != 0 && again.stderr.contains("already exists"), "\(again)")
        let running = try run("plansync-server", ["restore", "--data", cluster.server.data, "--from", backup])
        #expect(running.status != 0 && running.stderr.contains("in use by a running server"), "\(running)")
    }
}
