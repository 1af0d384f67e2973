import Foundation
import PlanSyncTestSupport
import Testing

/// Undoing queued edits with the real binaries: `plansync discard` puts back the copy last known from the
/// server, changes nothing else, and leaves the replica able to write and sync as before.
@Suite("Discard", .serialized)
struct DiscardTests {
    static let unit = "iasc-protection-policy/C.3/1"
    static let other = "iasc-protection-policy/A.1"

    static func fields(_ id: String, in cluster: Cluster, replica: String) throws -> [String: Any] {
        try WalkthroughTests.record(id, in: cluster.dump(replica))["fields"] as! [String: Any]
    }

    @Test func discardingOneFieldPutsBackTheServersValueAndKeepsTheOtherEdit() throws {
        let cluster = try Cluster()
        let editor = try cluster.replica("editor")
        let reader = try cluster.replica("reader", role: "viewer")
        for replica in [editor, reader] { try cluster.sync(replica) }
        let original = try Self.fields(Self.unit, in: cluster, replica: editor)["comment"] as! String

        try expectSuccess(cluster.plansync(editor, "set", Self.unit, "comment", "Rewritten offline"))
        try expectSuccess(cluster.plansync(editor, "set", Self.unit, "progress", "Half done"))
        let result = try cluster.plansync(editor, "discard", Self.unit, "comment")
        try expectSuccess(result)
        #expect(result.stdout.contains("\(Self.unit) comment: \"\(original)\" → \"Rewritten offline\""), "\(result)")
        #expect(!result.stdout.contains("progress"), "only the named field is dropped: \(result)")
        let fields = try Self.fields(Self.unit, in: cluster, replica: editor)
        #expect(fields["comment"] as? String == original)
        #expect(fields["progress"] as? String == "Half done")

        // What is left is pushed as usual, and every copy agrees.
        for replica in [editor, reader] { try cluster.sync(replica) }
        #expect(try cluster.dump(reader) == cluster.dump(editor))
        #expect(try Self.fields(Self.unit, in: cluster, replica: reader)["progress"] as? String == "Half done")

        let nothing = try cluster.plansync(editor, "discard", Self.unit)
        #expect(nothing.status != 0 && nothing.stderr.contains("no queued edits"), "\(nothing)")
    }

    @Test func discardingEverythingRestoresTheDumpAndTheNextEditsSyncEverywhere() throws {
        let cluster = try Cluster()
        let editor = try cluster.replica("editor")
        let reader = try cluster.replica("reader", role: "viewer")
        for replica in [editor, reader] { try cluster.sync(replica) }
        let before = try cluster.dump(editor)

        try expectSuccess(cluster.plansync(editor, "set", Self.unit, "comment", "First draft"))
        try expectSuccess(cluster.plansync(editor, "set", Self.unit, "comment", "Second draft"))
        try expectSuccess(cluster.plansync(editor, "delete", Self.other))
        let result = try cluster.plansync(editor, "discard", "--all")
        try expectSuccess(result)
        #expect(result.stdout.contains("\(Self.unit) comment:") && result.stdout.contains("\"Second draft\""))
        #expect(result.stdout.contains("\(Self.other) (record): \"present\" → \"deleted\""), "\(result)")
        #expect(try cluster.dump(editor) == before)
        #expect(try cluster.plansync(editor, "status").stdout.contains("queued records: 0"))

        // New writes after a discard mint new dots: the server takes them and every copy agrees.
        try expectSuccess(cluster.plansync(editor, "set", Self.unit, "comment", "Third draft"))
        for replica in [editor, reader] { try cluster.sync(replica) }
        #expect(try Self.fields(Self.unit, in: cluster, replica: reader)["comment"] as? String == "Third draft")
        #expect(try cluster.dump(reader) == cluster.dump(editor))
    }

    @Test(arguments: ServerStore.available)
    func aDiscardedWriteNeverReachesOthers(store: ServerStore) throws {
        let cluster = try Cluster(store: store)
        let first = try cluster.replica("first")
        let second = try cluster.replica("second")
        for replica in [first, second] { try cluster.sync(replica) }

        try expectSuccess(cluster.plansync(first, "set", Self.unit, "comment", "Never meant"))
        try expectSuccess(cluster.plansync(second, "set", Self.unit, "progress", "From the second"))
        try cluster.sync(second)
        try expectSuccess(cluster.plansync(first, "discard", Self.unit, "comment"))
        for replica in [first, second, first] { try cluster.sync(replica) }
        #expect(try Self.fields(Self.unit, in: cluster, replica: first)["progress"] as? String == "From the second")
        #expect(try cluster.dump(first) == cluster.dump(second))
        #expect(!(try cluster.dump(second)).contains("Never meant"))
    }

    @Test func aSyncThatCouldNotConnectLeavesTheEditsDiscardable() throws {
        let cluster = try Cluster()
        let editor = try cluster.replica("editor")
        try cluster.sync(editor)
        let before = try cluster.dump(editor)
        try expectSuccess(cluster.plansync(editor, "set", Self.unit, "comment", "Written offline"))
        cluster.server.stop(signal: SIGKILL)
        let offline = try cluster.plansync(editor, "sync")
        #expect(offline.status != 0, "\(offline)")
        try expectSuccess(cluster.plansync(editor, "discard", Self.unit))
        #expect(try cluster.dump(editor) == before)
    }

    @Test func discardingARecordCreatedHereRemovesIt() throws {
        let cluster = try Cluster()
        let kabul = try cluster.replica("kabul", role: "office", office: "AFG")
        try cluster.sync(kabul)
        let before = try cluster.dump(kabul)
        try expectSuccess(
            cluster.plansync(
                kabul, "report", "add", "--activity", ReportTests.activity, "--office", "AFG", "--period", "2017-Q1",
                "--status", "on-track", "--text", "Two webinars held"))
        let id = "\(ReportTests.activity)/report/AFG/2017-Q1"
        let result = try cluster.plansync(kabul, "discard", id)
        try expectSuccess(result)
        #expect(result.stdout.contains("\(id) narrative: (none) → \"Two webinars held\""), "\(result)")
        #expect(try cluster.dump(kabul) == before)
        try cluster.sync(kabul)
        #expect(try ReportTests.reportIDs(in: kabul).isEmpty)
    }
}
