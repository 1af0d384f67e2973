import Foundation
import PlanSyncCore
import PlanSyncServer
import PlanSyncTestSupport
import Testing

/// Every role boundary, refused by the client before queuing and by the server before storing.
@Suite("Roles and tokens", .serialized)
struct AccessTests {
    static let record = "iasc-protection-policy/A.1/1"

    @Test func theClientRefusesOutOfRoleEditsBeforeQueuing() throws {
        let cluster = try Cluster()
        let viewer = try cluster.replica("vera", role: "viewer")
        let office = try cluster.replica("kabul", role: "office", office: "AFG")
        let translator = try cluster.replica("farid", role: "translator", language: "fr")
        for replica in [viewer, office, translator] { try cluster.sync(replica) }

        let refusals: [(String, [String])] = [
            (viewer, ["set", Self.record, "comment", "x"]),
            (viewer, ["translate", Self.record, "comment", "--lang", "fr", "x"]),
            (office, ["set", Self.record, "comment", "x"]),
            (office, ["delete", Self.record]),
            (translator, ["set", Self.record, "comment", "x"]),
            (translator, ["translate", Self.record, "comment", "--lang", "ar", "x"]),
        ]
        for (replica, arguments) in refusals {
            let before = try cluster.dump(replica)
            let result = try run("plansync", arguments + ["--replica", replica])
            #expect(result.status != 0, "\(arguments) was accepted")
            #expect(result.stderr.hasPrefix("plansync: refused: \(Self.record)"), "\(result.stderr)")
            #expect(result.stderr.trimmingCharacters(in: .newlines).split(separator: "\n").count == 1)
            #expect(try cluster.dump(replica) == before, "a refused edit changed the replica")
            let status = try cluster.plansync(replica, "status").stdout
            #expect(status.contains("queued records: 0"))
        }
        try expectSuccess(cluster.plansync(office, "set", Self.record, "status", "on-track"))
        try expectSuccess(cluster.plansync(office, "set", Self.record, "progress", "Letter drafted"))
        try expectSuccess(cluster.plansync(translator, "translate", Self.record, "comment", "--lang", "fr", "Lettre"))
        try cluster.sync(office)
        try cluster.sync(translator)
    }

    @Test(arguments: ServerStore.available)
    func theServerRefusesOutOfRoleWritesAndStoresNothing(store: ServerStore) async throws {
        let cluster = try Cluster(store: store)
        let http = RawHTTP(base: cluster.server.url)
        let admin = try cluster.server.token(name: "admin", role: "admin")
        let tokens = [
            "viewer": try cluster.server.token(name: "vera", role: "viewer"),
            "office": try cluster.server.token(name: "kabul", role: "office", office: "AFG"),
            "fr": try cluster.server.token(name: "farid", role: "translator", language: "fr"),
        ]
        let stored = try await Self.fetch(Self.record, http: http, token: admin)

        // Each forged write, pushed with a token whose role does not allow it.
        let forged: [(String, Edit, String)] = [
            ("viewer", .set(field: "status", value: "delayed"), "viewer"),
            ("office", .set(field: "comment", value: "x"), "office token writes only progress"),
            ("office", .delete, "office token"),
            ("fr", .translate(field: "comment", language: "ar", text: "x", status: .draft), "writes only fr"),
            ("fr", .set(field: "comment", value: "x"), "writes only fr"),
        ]
        for (who, edit, reason) in forged {
            let latest = try await http.latest(token: admin)
            var state = stored
            try state.apply(edit, schema: .planSync, by: Self.writer(who))
            let (status, body) = try await http.send(
                .POST, "/v1/push", token: tokens[who]!, body: Self.push(state, as: who))
            #expect(status == 403, "\(who) \(edit): \(status) \(body)")
            #expect(body.contains(Self.record) && body.contains(reason), "\(body)")
            #expect(try await http.latest(token: admin) == latest, "a refused push stored something")
        }
        // A new record is the central team's to create.
        let new = RecordState(id: "iasc-protection-policy/Z.9", collection: "activity")
        let (status, _) = try await http.send(
            .POST, "/v1/push", token: tokens["office"]!, body: Self.push(new, as: "office"))
        #expect(status == 403)

        // And what the roles may do is stored.
        var progress = stored
        try progress.apply(.set(field: "status", value: "delayed"), schema: .planSync, by: Self.writer("office"))
        #expect(
            try await http.send(.POST, "/v1/push", token: tokens["office"]!, body: Self.push(progress, as: "office"))
                .status
                == 200)
        var french = try await Self.fetch(Self.record, http: http, token: admin)
        try french.apply(
            .translate(field: "comment", language: "fr", text: "x", status: .draft), schema: .planSync,
            by: Self.writer("fr"))
        #expect(
            try await http.send(.POST, "/v1/push", token: tokens["fr"]!, body: Self.push(french, as: "fr")).status
                == 200)
    }

    @Test(arguments: ServerStore.available)
    func aRevokedTokenIsRefusedOnTheNextRequest(store: ServerStore) async throws {
        let cluster = try Cluster(store: store)
        let http = RawHTTP(base: cluster.server.url)
        let token = try cluster.server.token(name: "temp", role: "viewer")
        #expect(try await http.send(.GET, "/v1/session", token: token).status == 200)
        try expectSuccess(run("plansync-server", ["token", "revoke"] + cluster.server.storage + ["--name", "temp"]))
        let (status, body) = try await http.send(.GET, "/v1/session", token: token)
        #expect(status == 401)
        #expect(body.contains("\"error\""))
        #expect(try await http.send(.GET, "/v1/pull?since=0", token: nil).status == 401)
        #expect(try await http.send(.GET, "/v1/pull?since=0", token: "ps_guess").status == 401)
    }

    @Test func tokensAreStoredOnlyAsHashes() throws {
        let cluster = try Cluster()
        let token = try cluster.server.token(name: "alice", role: "admin")
        // `ps_` and 43 base64url characters: 256 random bits.
        #expect(token.hasPrefix("ps_") && token.count == 46, "\(token)")
        #expect(token.dropFirst(3).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_".contains($0)) })
        let database = try String(contentsOfFile: cluster.server.data + "/plansync.sqlite", encoding: .isoLatin1)
        #expect(!database.contains(token))
        let duplicate = try run(
            "plansync-server", ["token", "create", "--data", cluster.server.data, "--name", "alice", "--role", "admin"])
        #expect(duplicate.status != 0 && duplicate.stdout.isEmpty)
        let noOffice = try run(
            "plansync-server", ["token", "create", "--data", cluster.server.data, "--name", "o", "--role", "office"])
        #expect(noOffice.status != 0 && noOffice.stderr.contains("--office"))
    }

    /// A token made by an earlier version (`ps_` and 64 hexadecimal digits) still signs in: only hashes are
    /// stored and compared, whatever the secret's form. A near miss of it does not.
    @Test func aTokenOfTheEarlierFormStillSignsIn() async throws {
        let cluster = try Cluster()
        let earlier = "ps_" + Secrets.randomHex()
        let store = try SQLiteSyncStore(directory: cluster.server.data)
        try await store.createToken(Principal(name: "olga", role: .viewer), hash: TokenHash.hash(earlier))
        let http = RawHTTP(base: cluster.server.url)
        #expect(try await http.send(.GET, "/v1/pull?since=0&limit=1", token: earlier).status == 200)
        #expect(try await http.send(.GET, "/v1/pull?since=0&limit=1", token: earlier.dropLast() + "x").status == 401)
    }

    /// A write of replica `forger-WHO`, dated now (the server refuses timestamps far ahead of its clock).
    static func writer(_ who: String) -> Writer {
        Writer(
            time: HybridTimestamp(
                wall: UInt64(Date().timeIntervalSince1970 * 1000), logical: 0, replica: ReplicaID("forger-\(who)")),
            author: who)
    }

    /// A push from replica `forger-WHO`: each token pushes from a replica of its own.
    static func push(_ state: RecordState, as who: String) throws -> Data {
        try JSONEncoder().encode(PushRequest(replica: ReplicaID("forger-\(who)"), records: [state]))
    }

    static func fetch(_ id: String, http: RawHTTP, token: String) async throws -> RecordState {
        let (_, body) = try await http.send(.GET, "/v1/pull?since=0&limit=5000", token: token)
        let page = try JSONDecoder().decode(PullResponse.self, from: Data(body.utf8))
        return try #require(page.records.first { $0.id == id })
    }
}
