import Foundation
import PlanSyncTestSupport
import Testing

/// An old client — the last that speaks only protocol version 1 and sends whole records, built from a pinned
/// commit by `.ci/build-v1-client` — and the client built here edit the same records offline and converge
/// through one current server. It guards that the server keeps serving version-1 clients.
@Suite("Mixed client versions", .serialized)
struct MixedVersionTests {
    static let plan = "iasc-protection-policy"
    static let script = ReadmeTests.repository.appendingPathComponent(".ci/build-v1-client").path

    /// The version-1 `plansync`: the script builds it the first time (several minutes) and then only prints its
    /// path. A build that fails fails the test with the script's last line, never skips it.
    static func versionOneClient() throws -> String {
        let path = try otherBuild(script: script, what: "the version-1 client")
        #expect(FileManager.default.isExecutableFile(atPath: path), "\(script) printed \(path)")
        #expect(path != Binaries.path("plansync"), "the old client is the one built here")
        return path
    }

    @Test func anOldAndANewClientConvergeThroughTheCurrentServer() throws {
        let v1 = try Self.versionOneClient()
        let cluster = try Cluster()
        let old = try cluster.replica("old", client: v1)
        let new = try cluster.replica("new")
        try cluster.sync(old, client: v1)
        try cluster.sync(new)
        let p = Self.plan

        // Offline on both: the same free-text field, a translation of English the other rewrites, a status both
        // set, and on each side a delete of a record the other edits.
        try expectSuccess(
            cluster.plansync(old, "set", "\(p)/A.1/1", "comment", "Old: letter sent on 3 October", client: v1))
        try expectSuccess(cluster.plansync(new, "set", "\(p)/A.1/1", "comment", "New: letter delayed to November"))
        try expectSuccess(
            cluster.plansync(
                old, "translate", "\(p)/A.2/1", "title", "--lang", "fr", "Diffusion (ancien client)", client: v1))
        try expectSuccess(
            cluster.plansync(new, "set", "\(p)/A.2/1", "title", "Dissemination, rewritten by the new client"))
        try expectSuccess(
            cluster.plansync(new, "translate", "\(p)/A.1", "title", "--lang", "es", "Herramientas (cliente nuevo)"))
        try expectSuccess(cluster.plansync(old, "set", "\(p)/D.1/1", "status", "delayed", client: v1))
        try expectSuccess(cluster.plansync(new, "set", "\(p)/D.1/1", "status", "completed"))
        try expectSuccess(cluster.plansync(old, "delete", "\(p)/C.1/1", client: v1))
        try expectSuccess(cluster.plansync(new, "set", "\(p)/C.1/1", "comment", "kept by the new client"))
        try expectSuccess(cluster.plansync(new, "delete", "\(p)/C.2/1"))
        try expectSuccess(cluster.plansync(old, "add", "\(p)/C.2/1", "focal_points", "OCHA Geneva", client: v1))
        try expectSuccess(cluster.plansync(new, "delete", "\(p)/D.2/1"))

        // Both orders: the old client pushes first, then the new one does, then the old again.
        for round in [[true, false], [false, true], [true, false]] {
            for isOld in round {
                if isOld { try cluster.sync(old, client: v1) } else { try cluster.sync(new) }
            }
        }
        let oldDump = try cluster.dump(old, client: v1)
        let newDump = try cluster.dump(new)
        // Compared byte for byte; a failure names the records that differ rather than printing two dumps.
        let (agree, differing) = (oldDump == newDump, try Self.differingIDs(oldDump, newDump))
        #expect(agree, "the old and the new client disagree on \(differing)")
        // A replica the old client makes afresh reads the same from the server.
        let late = try cluster.replica("late", client: v1)
        try cluster.sync(late, client: v1)
        let lateDump = try cluster.dump(late, client: v1)
        let (lateAgrees, lateDiffering) = (lateDump == newDump, try Self.differingIDs(lateDump, newDump))
        #expect(lateAgrees, "a fresh version-1 replica differs on \(lateDiffering)")

        let record = { (id: String) in try WalkthroughTests.record("\(p)/\(id)", in: newDump) }
        let fields = { (id: String) in try #require(try record(id)["fields"] as? [String: Any]) }
        let both: Set = ["Old: letter sent on 3 October", "New: letter delayed to November"]
        let a11 = try record("A.1/1")
        #expect(Set((a11["conflicts"] as? [String: [String]])?["comment"] ?? []) == both)
        for (replica, client) in [(old, Optional(v1)), (new, nil)] {
            let conflicts = try json(cluster.plansync(replica, "conflicts", "--json", client: client).stdout)
            let entries = try #require(conflicts as? [[String: Any]])
            #expect(entries.count == 1, "\(entries)")
            #expect(entries.first?["id"] as? String == "\(p)/A.1/1")
            #expect(entries.first?["field"] as? String == "comment")
            #expect(Set(entries.first?["candidates"] as? [String] ?? []) == both, "\(entries)")
        }

        #expect(try fields("A.2/1")["title"] as? String == "Dissemination, rewritten by the new client")
        let french = try translation(of: "title", in: "fr", of: record("A.2/1"))
        #expect(french["text"] as? String == "Diffusion (ancien client)")
        #expect(french["stale"] as? Bool == true, "a translation of English rewritten concurrently is stale")
        let spanish = try translation(of: "title", in: "es", of: record("A.1"))
        #expect(spanish["text"] as? String == "Herramientas (cliente nuevo)")
        #expect(try fields("D.1/1")["status"] as? String == "completed", "the later status wins")

        // An update beats a concurrent delete, whichever client deleted; an uncontested delete holds.
        #expect(try record("C.1/1")["deleted"] as? Bool == false)
        #expect(try fields("C.1/1")["comment"] as? String == "kept by the new client")
        #expect(try record("C.2/1")["deleted"] as? Bool == false)
        #expect((try fields("C.2/1")["focal_points"] as? [String])?.contains("OCHA Geneva") == true)
        #expect(try record("D.2/1")["deleted"] as? Bool == true)
    }

    /// The ids of the records two dumps hold differently, or that only one holds.
    static func differingIDs(_ left: String, _ right: String) throws -> [String] {
        func records(_ dump: String) throws -> [String: Data] {
            let records = try #require((try json(dump) as? [String: Any])?["records"] as? [[String: Any]])
            return try Dictionary(
                records.map { record in
                    (
                        record["id"] as? String ?? "?",
                        try JSONSerialization.data(withJSONObject: record, options: .sortedKeys)
                    )
                },
                uniquingKeysWith: { first, _ in first })
        }
        let (l, r) = (try records(left), try records(right))
        return Set(l.keys).union(r.keys).filter { l[$0] != r[$0] }.sorted()
    }

    /// `record.translations[language][field]` of a dumped record.
    func translation(of field: String, in language: String, of record: [String: Any]) throws -> [String: Any] {
        let translations = try #require(record["translations"] as? [String: [String: [String: Any]]])
        return try #require(translations[language]?[field], "no \(language) translation of \(field)")
    }
}

/// What a script that builds another version of PlanSync printed last: the path of what it built. It builds the
/// first time (minutes) and then only prints the path. A build that fails fails the test with the script's last
/// line and the compiler's first error, never skips it.
func otherBuild(script: String, what: String) throws -> String {
    let result = try runTool("bash", [script])
    let lines = result.stderr.split(separator: "\n").map(String.init)
    let firstError = lines.first { $0.contains("error:") && $0 != lines.last }
    let message = [lines.last, firstError].compactMap { $0 }.joined(separator: "\n")
    #expect(result.status == 0, "\(what) could not be built (exit \(result.status)): \(message)")
    guard result.status == 0 else { throw CocoaError(.executableLoad) }
    return try #require(result.stdout.split(separator: "\n").last.map(String.init))
}
