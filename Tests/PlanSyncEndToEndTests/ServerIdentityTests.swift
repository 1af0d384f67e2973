import Foundation
import PlanSyncTestSupport
import Testing

/// A replica names its server on every request: when its server's address answers for another server (a moved
/// service, a port another instance took), the sync is refused in one line and nothing reaches that server.
@Suite("The server a replica was made for", .serialized)
struct ServerIdentityTests {
    @Test func aReplicaAtAnotherServersAddressIsRefusedAndPushesNothing() async throws {
        let cluster = try Cluster()
        let replica = try cluster.replica("amman")
        try cluster.sync(replica)
        try expectSuccess(
            cluster.plansync(replica, "set", "iasc-protection-policy/A.1/1", "comment", "Written for the first server"))
        let port = cluster.server.port
        cluster.server.stop()

        // Another server, on another data folder, now answers at the same address.
        let other = try ServerProcess.start(data: cluster.directory.file("other-data"), port: port)
        defer { other.stop() }
        let otherAdmin = try other.token(name: "other-admin", role: "admin")
        let http = RawHTTP(base: other.url)
        let before = try await http.latest(token: otherAdmin)

        let refused = try cluster.plansync(replica, "sync")
        #expect(refused.status == 65, "\(refused)")
        #expect(refused.stderr.contains("another_server"), "\(refused)")
        #expect(refused.stderr.split(separator: "\n").count == 1, "\(refused)")
        #expect(try await http.latest(token: otherAdmin) == before, "the replica pushed into another server")
        #expect(try cluster.plansync(replica, "status").stdout.contains("queued records: 1"))

        // What a careless client sends: another id, refused before the token is even read.
        let (status, body) = try await http.send(
            .GET, "/v1/pull?since=0", token: "not-a-token", headers: [("PlanSync-Server", "someone-else")])
        #expect(status == 409 && body.contains("another_server"), "\(status) \(body)")
        // No header (an older client): nothing is checked.
        #expect(try await http.send(.GET, "/v1/pull?since=0&limit=1", token: otherAdmin).status == 200)
    }
}
