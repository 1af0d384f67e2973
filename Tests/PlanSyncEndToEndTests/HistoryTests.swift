import Foundation
import PlanSyncTestSupport
import Testing

/// What a person asks of a record's past with the real binaries: `plansync history`, and `sync --changes`.
@Suite("History and changes", .serialized)
struct HistoryTests {
    static let unit = DiscardTests.unit

    static func writes(_ field: String, language: String? = nil, in history: Any) -> [[String: Any]] {
        let targets = (history as! [String: Any])["targets"] as! [[String: Any]]
        let target = targets.first { $0["field"] as? String == field && $0["language"] as? String == language }
        return target?["writes"] as? [[String: Any]] ?? []
    }

    @Test(arguments: ServerStore.available)
    func historyShowsTheConflictItsResolutionAndAQueuedEdit(store: ServerStore) throws {
        let cluster = try Cluster(store: store)
        let (first, _) = try cluster.offlineConflict(
            on: Self.unit, field: "comment", values: ("From the first", "From the second"))

        let conflict = Self.writes(
            "comment", in: try json(cluster.plansync(first, "history", Self.unit, "--json").stdout))
        #expect(Set(conflict.compactMap { $0["value"] as? String }) == ["From the first", "From the second"])
        #expect(Set(conflict.compactMap { $0["standing"] as? String }) == ["shown", "conflict"])

        try expectSuccess(cluster.plansync(first, "resolve", Self.unit, "comment", "Agreed text"))
        try cluster.sync(first)
        try expectSuccess(cluster.plansync(first, "set", Self.unit, "comment", "Queued here"))
        let history = try json(cluster.plansync(first, "history", Self.unit, "--json").stdout)
        let writes = Self.writes("comment", in: history)
        #expect(writes.map { $0["standing"] as? String } == ["shown", "queued-over"], "\(writes)")
        let resolution = writes.last?["resolution"] as? [String: Any]
        #expect(resolution?["by"] as? String == "first")
        #expect(Set(resolution?["superseded"] as? [String] ?? []) == ["From the first", "From the second"])

        let text = try cluster.plansync(first, "history", Self.unit)
        try expectSuccess(text)
        #expect(text.stdout.contains("resolved by first on 20"), "\(text)")
        #expect(text.stdout.contains(" UTC"), "a date a person reads: \(text)")
    }

    @Test func syncChangesListsWhatThePullChangedHere() throws {
        let cluster = try Cluster()
        let first = try cluster.replica("first")
        let second = try cluster.replica("second")
        for replica in [first, second] { try cluster.sync(replica) }
        try expectSuccess(cluster.plansync(second, "set", Self.unit, "progress", "Half done"))
        try expectSuccess(cluster.plansync(second, "translate", Self.unit, "comment", "--lang", "fr", "Texte"))
        try cluster.sync(second)

        let result = try cluster.plansync(first, "sync", "--changes")
        try expectSuccess(result)
        #expect(result.stdout.contains("changed \(Self.unit) (related): comment [fr], progress"), "\(result)")
        let again = try cluster.plansync(first, "sync", "--changes")
        #expect(!again.stdout.contains("changed \(Self.unit)"), "nothing new: \(again)")
    }
}
