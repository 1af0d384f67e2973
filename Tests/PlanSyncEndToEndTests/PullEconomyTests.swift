import Foundation
import PlanSyncClient
import PlanSyncCore
import PlanSyncReplica
import Testing

/// What a sync brings back: a replica's own pushes are not sent back to it, but anything the server joined
/// with them is; and the conflict count a sync reports is the one `plansync conflicts` lists.
@Suite("What a pull sends back")
struct PullEconomyTests {
    static let ids = (1...4).map { "iasc-protection-policy/B.1/\($0)" }

    func session(_ replica: Replica) async throws -> SyncSession {
        let identity = try await replica.identity()
        var session = SyncSession(
            replica: replica, transport: HTTPTransport(baseURL: identity.serverURL, token: identity.token))
        session.pullPage = 2
        return session
    }

    @Test(arguments: ServerStore.available)
    func aReplicasOwnPushesAreNotPulledBackButJoinedStatesAre(store: ServerStore) async throws {
        let cluster = try Cluster(store: store)
        let amman = try Replica.open(at: try cluster.replica("amman"))
        let dakar = try Replica.open(at: try cluster.replica("dakar"))
        _ = try await session(amman).run()
        _ = try await session(dakar).run()

        for id in Self.ids { try await amman.edit(id, .set(field: "comment", value: "amman on \(id)")) }
        let first = try await session(amman).run()
        #expect(first.pushed == 4)
        #expect(first.pulled == 0, "the server sent amman's own writes back")
        #expect(try await amman.cursor() > 0)

        // Dakar edits one of them concurrently: its push stores a joined state amman has not got, which
        // amman must pull even though amman wrote part of it.
        try await dakar.edit(Self.ids[0], .set(field: "comment", value: "dakar on \(Self.ids[0])"))
        try await dakar.edit(Self.ids[1], .set(field: "status", value: "completed"))
        let dakarSync = try await session(dakar).run()
        // The feed is of stores: a record whose stores changed in two pages' ranges comes in both (the second
        // copy changes nothing), so count what changed here.
        #expect(dakarSync.applied == 4, "dakar pulls amman's four records")
        #expect(dakarSync.pulled <= 6)
        #expect(dakarSync.conflicts == 1)

        try await amman.edit(Self.ids[2], .set(field: "comment", value: "amman again"))
        let second = try await session(amman).run()
        #expect(second.pulled == 2, "amman pulls the two records dakar changed, not its own")
        #expect(second.conflicts == 1)

        _ = try await session(dakar).run()
        #expect(try await amman.dump() == (try await dakar.dump()))
        let listed = try await amman.recordsAwaitingDecisions()
        #expect(listed.map(\.id) == [Self.ids[0]])
        #expect(listed.map { $0.openDecisions() }.reduce(0, +) == (try await amman.conflictCount()))

        // Resolving the conflict clears the count kept beside the record.
        try await amman.edit(Self.ids[0], .resolve(field: "comment", value: "agreed"))
        #expect(try await amman.conflictCount() == 0)
        #expect(try await amman.recordsAwaitingDecisions().isEmpty)
    }
}
