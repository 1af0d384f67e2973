import Foundation
import PlanSyncTestSupport
import Testing

/// This version's binaries beside the next version's schema (the package trait `NextSchema`, built apart by
/// `.ci/build-next-schema`): it adds `location` to activities. An older client keeps a field it does not know
/// intact, shows it, and never strips it when it pushes; a newer client against an older server is told in one
/// line what the server lacks, and its edit waits.
@Suite("Mixed schema versions", .serialized)
struct MixedSchemaTests {
    static let record = "iasc-protection-policy/A.1/1"
    static let script = ReadmeTests.repository.appendingPathComponent(".ci/build-next-schema").path

    /// The folder of the next schema's `plansync` and `plansync-server`: built the first time (minutes), then
    /// only checked. A build that fails fails the test, never skips it.
    static func nextSchemaBinaries() throws -> String {
        try otherBuild(script: script, what: "the next schema")
    }

    @Test func anOlderClientKeepsAFieldItDoesNotKnowAndANewerOneIsToldWhatAnOlderServerLacks() throws {
        let next = try Self.nextSchemaBinaries()
        let nextClient = next + "/plansync"
        let directory = try TemporaryDirectory()
        defer { directory.remove() }

        // A server of the next schema; a replica of each version.
        let server = try ServerProcess.start(data: directory.file("next"), executable: next + "/plansync-server")
        defer { server.stop() }
        func replica(_ name: String, client: String) throws -> String {
            let path = directory.file("\(name).sqlite")
            let token = try server.token(name: name, role: "admin")
            try expectSuccess(
                run(executableAt: client, ["init", "--replica", path, "--server", server.url, "--token", token]))
            try expectSuccess(run(executableAt: client, ["sync", "--replica", path]))
            return path
        }
        let newerPath = try replica("newer", client: nextClient)
        let olderPath = try replica("older", client: Binaries.path("plansync"))
        func older(_ arguments: String...) throws -> CommandResult {
            try run("plansync", arguments + ["--replica", olderPath])
        }
        func newer(_ arguments: String...) throws -> CommandResult {
            try run(executableAt: nextClient, arguments + ["--replica", newerPath])
        }

        // The newer client writes the field this version does not know; the older one cannot write it itself.
        try expectSuccess(newer("set", Self.record, "location", "Cox's Bazar"))
        try expectSuccess(newer("sync"))
        #expect(try older("set", Self.record, "location", "Dhaka").status == 65)
        try expectSuccess(older("sync"))

        // The older replica holds it and shows it, though it does not know it.
        let shown = try older("dump", "--json")
        #expect(shown.stdout.contains("\"location\"") && shown.stdout.contains("Cox's Bazar"), "\(shown)")

        // It edits another field of that record offline, and pushes: the field it does not know survives.
        try expectSuccess(older("set", Self.record, "comment", "Edited by the older client"))
        try expectSuccess(older("sync"))
        try expectSuccess(newer("sync"))
        let record = try json(newer("show", Self.record, "--json").stdout) as! [String: Any]
        let fields = (record["fields"] as! [[String: Any]])
        #expect(fields.first { $0["name"] as? String == "location" }?["value"] as? String == "Cox's Bazar")
        #expect(
            fields.first { $0["name"] as? String == "comment" }?["value"] as? String == "Edited by the older client")
        try expectSuccess(older("sync"))
        #expect(try older("dump", "--json").stdout == newer("dump", "--json").stdout, "both hold the same records")

        // A newer client against a server of this version: one line saying what the server lacks, and the
        // edit stays queued.
        let current = try ServerProcess.start(data: directory.file("current"))
        defer { current.stop() }
        let path = directory.file("ahead.sqlite")
        let token = try current.token(name: "ahead", role: "admin")
        try expectSuccess(
            run(executableAt: nextClient, ["init", "--replica", path, "--server", current.url, "--token", token]))
        try expectSuccess(run(executableAt: nextClient, ["sync", "--replica", path]))
        try expectSuccess(run(executableAt: nextClient, ["set", Self.record, "location", "Sittwe", "--replica", path]))
        let refused = try run(executableAt: nextClient, ["sync", "--replica", path])
        #expect(refused.status == 65, "\(refused)")
        let lines = refused.stderr.split(separator: "\n").filter { $0.hasPrefix("plansync: ") }
        #expect(lines.count == 1, "\(refused)")
        #expect(
            refused.stderr.contains("does not know the field 'location' of 'related'")
                && refused.stderr.contains("upgrade the server"), "\(refused)")
        let status = try run(executableAt: nextClient, ["status", "--replica", path])
        #expect(status.stdout.contains("queued records: 1"), "\(status)")
    }
}
