import Foundation
import GRDB
import PlanSyncCore
import PlanSyncReplica
import PlanSyncTestSupport
import Testing

/// Sync by file: bundles carried between replicas with no server between them, bundles cut short or changed,
/// and the pushes a bundle carries relayed to the server by a replica with a link, which the server believes
/// only when the key of the replica that wrote them signed them.
@Suite("Sync by file", .serialized)
struct BundleTests {
    static let plan = "iasc-protection-policy"
    static let unit = "\(plan)/A.1/1"
    static let activity = "\(plan)/A.2"

    func bundle(_ cluster: Cluster, _ replica: String, to file: String, sincePeer peer: String? = nil) throws {
        var arguments = ["bundle", "export", "--output", cluster.directory.file(file)]
        if let peer { arguments += ["--since-peer", peer] }
        try expectSuccess(cluster.plansync(replica, arguments))
    }

    func replicaID(_ cluster: Cluster, _ replica: String) throws -> String {
        let status = try cluster.plansync(replica, "status").stdout
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("replica id: ") })
        return String(line.dropFirst("replica id: ".count))
    }

    /// Each open conflict as `ID FIELD: candidate | candidate`, candidates sorted.
    func conflicts(_ cluster: Cluster, _ replica: String) throws -> [String] {
        let entries = try json(cluster.plansync(replica, "conflicts", "--json").stdout) as? [[String: Any]] ?? []
        return entries.map { entry in
            let candidates = (entry["candidates"] as? [String] ?? []).sorted().joined(separator: " | ")
            return "\(entry["id"] as? String ?? "?") \(entry["field"] as? String ?? "?"): \(candidates)"
        }
    }

    @Test func twoReplicasWithNoServerBetweenThemEndIdenticalWithTheConflictsASyncGives() throws {
        let cluster = try Cluster()
        let amman = try cluster.replica("amman")
        let geneva = try cluster.replica("geneva")
        let witness = try cluster.replica("witness")
        for replica in [amman, geneva, witness] { try cluster.sync(replica) }
        cluster.server.stop()

        // Offline, no server: both write one field, and each something of its own.
        try expectSuccess(cluster.plansync(amman, "set", Self.unit, "comment", "Letter sent on 3 October"))
        try expectSuccess(cluster.plansync(geneva, "set", Self.unit, "comment", "Letter delayed to November"))
        try expectSuccess(cluster.plansync(amman, "add", "\(Self.plan)/A.2/2", "focal_points", "OCHA Amman"))
        try expectSuccess(cluster.plansync(geneva, "set", "\(Self.plan)/C.1/1", "status", "delayed"))

        try bundle(cluster, amman, to: "amman.bundle")
        let joined = try cluster.plansync(geneva, "bundle", "import", cluster.directory.file("amman.bundle"))
        try expectSuccess(joined)
        #expect(joined.stdout.contains("1 conflict(s)"), "\(joined)")
        // Back the other way, only what amman lacks.
        try bundle(cluster, geneva, to: "geneva.bundle", sincePeer: try replicaID(cluster, amman))
        try expectSuccess(cluster.plansync(amman, "bundle", "import", cluster.directory.file("geneva.bundle")))
        #expect(try cluster.dump(amman) == cluster.dump(geneva), "the replicas differ after exchanging bundles")
        let byFile = try conflicts(cluster, amman)
        #expect(byFile == ["\(Self.unit) comment: Letter delayed to November | Letter sent on 3 October"])

        // The same edits through the server give the same conflict, and everyone agrees.
        let server = try ServerProcess.start(data: cluster.server.data, port: cluster.server.port)
        defer { server.stop() }
        for replica in [amman, geneva, witness, amman] { try cluster.sync(replica) }
        #expect(try conflicts(cluster, witness) == byFile)
        #expect(Set(try [amman, geneva, witness].map { try cluster.dump($0) }).count == 1)
    }

    @Test func aBundleCutShortChangedOrNotABundleIsRefusedWholeAndChangesNothing() throws {
        let cluster = try Cluster()
        let amman = try cluster.replica("amman")
        let geneva = try cluster.replica("geneva")
        for replica in [amman, geneva] { try cluster.sync(replica) }
        try expectSuccess(cluster.plansync(amman, "set", Self.unit, "comment", "Letter sent on 3 October"))
        try bundle(cluster, amman, to: "amman.bundle")
        let whole = try Data(contentsOf: URL(fileURLWithPath: cluster.directory.file("amman.bundle")))
        let before = try cluster.dump(geneva)

        let cut = cluster.directory.file("cut.bundle")
        try whole.prefix(whole.count * 2 / 3).write(to: URL(fileURLWithPath: cut))
        // One changed byte of a record: the section's signature and the bundle's seal no longer verify.
        let changed = cluster.directory.file("changed.bundle")
        try whole.write(to: URL(fileURLWithPath: changed))
        let queue = try DatabaseQueue(path: changed)
        try queue.write { db in
            let payload = try #require(try Data.fetchOne(db, sql: "SELECT payload FROM section ORDER BY position DESC"))
            let text = String(decoding: payload, as: UTF8.self).replacingOccurrences(of: "3 October", with: "4 October")
            try db.execute(sql: "UPDATE section SET payload = ? WHERE position = (SELECT max(position) FROM section)",
                arguments: [Data(text.utf8)])
        }
        try queue.close()
        // A section dropped from the end: the bundle is short of what it says it holds.
        let short = cluster.directory.file("short.bundle")
        try whole.write(to: URL(fileURLWithPath: short))
        let shortQueue = try DatabaseQueue(path: short)
        try shortQueue.write { db in try db.execute(sql: "DELETE FROM section") }
        try shortQueue.close()
        let junk = cluster.directory.file("junk.bundle")
        try Data("not a bundle\n".utf8).write(to: URL(fileURLWithPath: junk))

        for (file, says) in [
            (cut, "not a whole PlanSync bundle"), (changed, "seal does not verify"), (short, "cut short"),
            (junk, "not a whole PlanSync bundle"), (cluster.directory.file("absent.bundle"), "no bundle at"),
        ] {
            let result = try cluster.plansync(geneva, "bundle", "import", file)
            #expect(result.status == 65, "\(file): \(result)")
            #expect(result.stderr.contains(says) && result.stderr.split(separator: "\n").count == 1, "\(result)")
        }
        #expect(try cluster.dump(geneva) == before, "a refused bundle changed the replica")
        let bad = try cluster.plansync(geneva, "bundle", "export", "--output", cluster.directory.file("x"),
            "--since-peer", "no such peer")
        #expect(bad.status == 64 && bad.stderr.contains("--since-peer"), "\(bad)")
        let nowhere = try cluster.plansync(geneva, "bundle", "export", "--output", "/nonexistent/folder/x.bundle")
        #expect(nowhere.status == 73 && nowhere.stderr.contains("could not write the bundle"), "\(nowhere)")
    }

    @Test(arguments: ServerStore.available)
    func aPushCarriedInABundleIsRelayedAndTheServerBelievesOnlyWhatTheWritersKeySigned(store: ServerStore) async throws {
        let cluster = try Cluster(store: store)
        let kabul = try cluster.replica("kabul", role: "office", office: "AFG")
        let carrier = try cluster.replica("carrier", role: "office", office: "SYR")
        let central = try cluster.replica("central")
        // Each syncs once, which registers its signing key.
        for replica in [kabul, carrier, central] { try cluster.sync(replica) }

        // Kabul has no link: its report goes by file to a laptop that has one.
        try expectSuccess(
            cluster.plansync(
                kabul, "report", "add", "--activity", Self.activity, "--period", "2017-Q3", "--status", "on-track",
                "--text", "Carried on a USB stick"))
        try bundle(cluster, kabul, to: "kabul.bundle")
        let joined = try cluster.plansync(carrier, "bundle", "import", cluster.directory.file("kabul.bundle"))
        try expectSuccess(joined)
        #expect(joined.stdout.contains("1 push(es) to relay"), "\(joined)")
        // The carrier is another office: Kabul's report is not in its scope, but it carries the signed push.
        #expect(!(try cluster.dump(carrier)).contains("Carried on a USB stick"))
        let relayed = try cluster.plansync(carrier, "sync")
        try expectSuccess(relayed)
        #expect(relayed.stdout.contains("relayed 1 push(es)"), "\(relayed)")
        try cluster.sync(central)
        let list = try cluster.plansync(central, "report", "list", "--office", "AFG", "--json").stdout
        #expect(list.contains("Carried on a USB stick"), "\(list)")
        // Believed as Kabul's: the history names its writer.
        let history = try cluster.plansync(central, "history", "\(Self.activity)/report/AFG/2017-Q3").stdout
        #expect(history.contains("kabul"), "\(history)")
        // Kabul syncs later: nothing is pushed twice, everyone agrees.
        try cluster.sync(kabul)
        try cluster.sync(central)
        #expect(try cluster.dump(kabul).contains("Carried on a USB stick"))

        // What a carrier could forge, sent as a relay with the carrier's own token.
        let carrierToken = try cluster.server.token(name: "carrier-2", role: "admin")
        let http = RawHTTP(base: cluster.server.url)
        let kabulReplica = try Replica.open(at: kabul)
        let kabulID = try await kabulReplica.identity().replica
        let report = try #require(try await kabulReplica.record("\(Self.activity)/report/AFG/2017-Q3"))
        var altered = report
        try altered.apply(
            .set(field: "narrative", value: "Forged"), schema: .planSync,
            by: Writer(time: HybridTimestamp(wall: Replica.wallClock(), logical: 0, replica: kabulID), author: "kabul"))
        let payload = RecordJSON.encode(PushRequest(replica: kabulID, records: [altered], version: 2))
        func relay(_ section: SignedSection) async throws -> (status: Int, body: String) {
            try await http.send(.POST, "/v1/relay", token: carrierToken, body: try WireJSON.encode(RelayRequest(section)))
        }
        let before = try await http.latest(token: carrierToken)

        // Signed with another key than Kabul's registered one.
        let forged = try SignedSection(signing: payload, as: kabulID, with: ReplicaSigningKey())
        let refused = try await relay(forged)
        #expect(refused.status == 403 && refused.body.contains("bad_signature"), "\(refused)")
        // Kabul's signature, but of other bytes.
        let key = try await kabulReplica.signingKey()
        let genuine = try SignedSection(signing: payload, as: kabulID, with: key)
        let swapped = SignedSection(signer: kabulID, payload: payload + Array(" ".utf8), signature: genuine.signature)
        #expect(try await relay(swapped).status == 403)
        // Kabul's key, but a write an office may not make: the writer's role applies, not the carrier's (admin).
        var comment = try #require(try await kabulReplica.record(Self.unit))
        try comment.apply(
            .set(field: "comment", value: "An office's comment"), schema: .planSync,
            by: Writer(time: HybridTimestamp(wall: Replica.wallClock(), logical: 1, replica: kabulID), author: "kabul"))
        let outOfRole = try SignedSection(
            signing: RecordJSON.encode(PushRequest(replica: kabulID, records: [comment], version: 2)), as: kabulID,
            with: key)
        let forbidden = try await relay(outOfRole)
        #expect(forbidden.status == 403 && forbidden.body.contains("forbidden"), "\(forbidden)")
        // A replica this server never registered a key for.
        let stranger = try SignedSection(
            signing: RecordJSON.encode(PushRequest(replica: ReplicaID("stranger"), records: [altered], version: 2)),
            as: ReplicaID("stranger"), with: ReplicaSigningKey())
        let unknown = try await relay(stranger)
        #expect(unknown.status == 403 && unknown.body.contains("sync once itself"), "\(unknown)")
        #expect(try await http.latest(token: carrierToken) == before, "a refused relay changed the server")

        // What a careless or lying caller sends the key registration: another key for Kabul's id (even with
        // Kabul's own token), Kabul's id under another token, and keys that are not keys.
        let kabulToken = try await kabulReplica.identity().token
        func register(_ replica: String, _ key: String, token: String) async throws -> (status: Int, body: String) {
            try await http.send(
                .POST, "/v1/key", token: token, body: Data(#"{"replica":"\#(replica)","key":"\#(key)"}"#.utf8))
        }
        let otherKey = ReplicaSigningKey().publicKey.description
        let rebound = try await register(kabulID.rawValue, otherKey, token: carrierToken)
        #expect(rebound.status == 403, "\(rebound)")
        let swappedKey = try await register(kabulID.rawValue, otherKey, token: kabulToken)
        #expect(swappedKey.status == 409 && swappedKey.body.contains("key_mismatch"), "\(swappedKey)")
        for bad in ["", "not base64!", Data(repeating: 1, count: 31).base64EncodedString()] {
            let refusedKey = try await register("fresh-replica", bad, token: carrierToken)
            #expect(refusedKey.status == 400 && refusedKey.body.contains("key:"), "\(bad): \(refusedKey)")
        }
        let notBase64 = try await http.send(
            .POST, "/v1/relay", token: carrierToken,
            body: Data(#"{"signer":"\#(kabulID)","payload":"%%%","signature":"x"}"#.utf8))
        #expect(notBase64.status == 400, "\(notBase64)")
        // Kabul's key registered once, unchanged: the genuine section below still verifies.

        // The genuine one is believed.
        let believed = try await relay(genuine)
        #expect(believed.status == 200, "\(believed)")
        #expect(try await http.latest(token: carrierToken) > before)
    }
}
