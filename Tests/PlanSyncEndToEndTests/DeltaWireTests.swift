import Foundation
import NIOHTTP1
import PlanSyncClient
import PlanSyncCore
import PlanSyncReplica
import PlanSyncTestSupport
import Synchronization
import Testing

/// Records what a sync sends and receives, passing everything through to the real server.
final class RecordingTransport: SyncTransport {
    let inner: HTTPTransport
    let pushes = Mutex<[PushRequest]>([])
    let pages = Mutex<[PullResponse]>([])

    init(_ inner: HTTPTransport) { self.inner = inner }

    func register(_ registration: KeyRegistration) async throws { try await inner.register(registration) }
    func relay(_ section: SignedSection, history: HistoryPosition?) async throws -> PushResponse {
        try await inner.relay(section, history: history)
    }

    func session() async throws -> SessionInfo { try await inner.session() }

    func push(_ request: PushRequest, history: HistoryPosition?) async throws -> PushResponse {
        pushes.withLock { $0.append(request) }
        return try await inner.push(request, history: history)
    }

    func pull(since: UInt64, limit: Int, replica: ReplicaID, history: HistoryPosition?) async throws -> PullResponse {
        let page = try await inner.pull(since: since, limit: limit, replica: replica, history: history)
        pages.withLock { $0.append(page) }
        return page
    }
}

/// Sync by field on the wire, against the real server: what a one-field edit costs each way, what a
/// version-1 client still gets, and the deltas a server refuses.
@Suite("Deltas on the wire")
struct DeltaWireTests {
    /// A bundled activity with French, Spanish and Arabic translations.
    static let id = "iasc-protection-policy/B.1/1"

    func sync(_ replica: Replica) async throws -> (SyncReport, RecordingTransport) {
        let identity = try await replica.identity()
        let transport = RecordingTransport(HTTPTransport(baseURL: identity.serverURL, token: identity.token))
        let report = try await SyncSession(replica: replica, transport: transport).run()
        return (report, transport)
    }

    @Test(arguments: ServerStore.available)
    func aOneFieldEditTravelsAsADeltaBothWays(store: ServerStore) async throws {
        let cluster = try Cluster(store: store)
        let amman = try Replica.open(at: try cluster.replica("amman"))
        let dakar = try Replica.open(at: try cluster.replica("dakar"))
        _ = try await sync(amman)
        _ = try await sync(dakar)
        #expect(try await amman.serverProtocol() == 2, "a pull page says the server speaks version 2")
        let whole = try #require(try await amman.record(Self.id))
        #expect(!whole.translations.isEmpty, "the record has translations, which a delta leaves out")

        try await amman.edit(Self.id, .set(field: "comment", value: "Amman: the workshop moved to March."))
        let (pushed, up) = try await sync(amman)
        #expect(pushed.pushed == 1)
        #expect(pushed.roundTrips == 1, "the push's answer carries the pull page: one round trip")
        #expect(up.pages.withLock { $0.isEmpty }, "no pull request of its own")
        let push = try #require(up.pushes.withLock { $0.first })
        #expect(push.stores[Self.id] == [.field("comment")])
        let sent = try #require(push.records.first)
        #expect(sent.translations.isEmpty && Set(sent.fields.keys) == ["comment"])
        let wholeBytes = RecordJSON.encode(
            PushRequest(replica: push.replica, records: [try #require(try await amman.record(Self.id))])
        ).count
        #expect(RecordJSON.encode(push).count * 4 < wholeBytes, "the delta is a fraction of the whole record")

        let (pulled, down) = try await sync(dakar)
        #expect(pulled.applied == 1)
        let page = try #require(down.pages.withLock { $0.first(where: { !$0.records.isEmpty }) })
        #expect(page.stores[Self.id] == [.field("comment")], "dakar gets only the changed field")
        #expect(page.records.first?.translations.isEmpty == true)
        #expect(
            try await dakar.record(Self.id)?.fields["comment"]?.map(\.value) == ["Amman: the workshop moved to March."])
        #expect(try await amman.dump() == (try await dakar.dump()))
    }

    /// No answer names the server's software: on a 2G link the `Server` header's bytes, on every answer, buy
    /// nothing. Refusals and pages alike.
    @Test func answersCarryNoServerHeader() async throws {
        let cluster = try Cluster()
        let admin = try cluster.server.token(name: "header-admin", role: "admin")
        let http = RawHTTP(base: cluster.server.url)
        let asked: [(path: String, token: String?, status: Int)] = [
            ("/health", nil, 200), ("/v1/pull?since=0&limit=1", admin, 200), ("/v1/pull?since=0", "ps_guess", 401),
        ]
        for (path, token, status) in asked {
            let answer = try await http.exchange(.GET, path, token: token)
            #expect(answer.status == status, "\(path): \(answer.status) \(answer.body)")
            #expect(!answer.headers["Content-Type"].isEmpty, "\(path): the answer's headers were not read")
            #expect(answer.headers["Server"].isEmpty, "\(path): \(answer.headers["Server"])")
        }
    }

    @Test(arguments: ServerStore.available)
    func concurrentDeltasOfOneFieldKeepBothAndDeletesTravelAsTombstones(store: ServerStore) async throws {
        let cluster = try Cluster(store: store)
        let amman = try Replica.open(at: try cluster.replica("amman"))
        let dakar = try Replica.open(at: try cluster.replica("dakar"))
        _ = try await sync(amman)
        _ = try await sync(dakar)
        try await amman.edit(Self.id, .set(field: "comment", value: "from amman"))
        try await dakar.edit(Self.id, .set(field: "comment", value: "from dakar"))
        try await dakar.edit("iasc-protection-policy/B.1/2", .delete)
        _ = try await sync(amman)
        let (_, up) = try await sync(dakar)
        #expect(up.pushes.withLock { $0.first?.stores["iasc-protection-policy/B.1/2"] }?.contains(.lifecycle) == true)
        _ = try await sync(amman)
        for replica in [amman, dakar] {
            #expect(
                Set(try await replica.record(Self.id)?.fields["comment"]?.map(\.value) ?? []) == [
                    "from amman", "from dakar",
                ])
            #expect(try await replica.record("iasc-protection-policy/B.1/2")?.isDeleted == true)
        }
        #expect(try await amman.dump() == (try await dakar.dump()))
    }

    @Test(arguments: ServerStore.available)
    func aVersion1ClientGetsWholeRecordsAndCannotSendDeltas(store: ServerStore) async throws {
        let cluster = try Cluster(store: store)
        let token = try cluster.server.token(name: "old", role: "admin")
        let raw = RawHTTP(base: cluster.server.url)
        // Someone changes one field, so a later pull from before it could be a delta.
        let amman = try Replica.open(at: try cluster.replica("amman"))
        _ = try await sync(amman)
        let since = try await amman.cursor()
        try await amman.edit(Self.id, .set(field: "comment", value: "one field"))
        _ = try await sync(amman)

        let (v1Status, v1Body) = try await raw.send(.GET, "/v1/pull?since=\(since)", token: token)
        #expect(v1Status == 200)
        #expect(!v1Body.contains("\"stores\""), "a client without the header gets whole records")
        #expect(v1Body.contains("\"translations\""))
        let (v2Status, v2Body) = try await raw.send(
            .GET, "/v1/pull?since=\(since)", token: token, headers: [(ProtocolVersion.header, "2")])
        #expect(v2Status == 200)
        #expect(v2Body.contains("\"stores\":[\"fields.comment\"]"))

        let state = try #require(try await amman.record(Self.id))
        let delta = RecordDelta(state, stores: [.field("comment")])
        let body = Data(
            RecordJSON.encode(
                PushRequest(replica: ReplicaID("old-1"), records: [delta.state], stores: [Self.id: delta.stores])))
        let (refused, detail) = try await raw.send(.POST, "/v1/push", token: token, body: body)
        #expect(refused == 400 && detail.contains("PlanSync-Protocol: 2"))
        let (future, upgrade) = try await raw.send(
            .GET, "/v1/pull?since=0", token: token, headers: [(ProtocolVersion.header, "3")])
        #expect(future == 400 && upgrade.contains("unsupported_protocol") && upgrade.contains("upgrade the server"))
    }

    /// The page a push asks for is read in the pusher's scope, like a pull: an office never gets another
    /// office's report through it, whatever cursor it names, and a viewer's push with a page stores nothing.
    @Test func thePageAPushBringsIsInThePushersScope() async throws {
        let cluster = try Cluster()
        let syria = try cluster.replica("damascus", role: "office", office: "SYR")
        try cluster.sync(syria)
        try expectSuccess(
            cluster.plansync(
                syria, "report", "add", "--activity", ReportTests.activity, "--office", "SYR", "--period", "2017-Q1",
                "--status", "on-track", "--text", "Syria only"))
        try cluster.sync(syria)
        let token = try cluster.server.token(name: "kabul", role: "office", office: "AFG")
        let raw = RawHTTP(base: cluster.server.url)
        let body = Data(#"{"replica":"kabul-1","records":[],"pull":{"since":0,"limit":5000}}"#.utf8)
        let (status, answer) = try await raw.send(
            .POST, "/v1/push", token: token, body: body, headers: [(ProtocolVersion.header, "2")])
        #expect(status == 200, "\(answer)")
        #expect(answer.contains("\"page\":{\"records\":["), "\(answer.prefix(300))")
        #expect(!answer.contains("Syria only") && !answer.contains("/report/SYR/"), "another office's report came")
        #expect(answer.contains(ReportTests.activity), "the shared plan comes")

        let viewer = try cluster.server.token(name: "reader", role: "viewer")
        let before = try await raw.latest(token: viewer)
        let forged = Data(#"{"replica":"reader-1","records":[],"pull":{"since":0,"limit":0}}"#.utf8)
        let (refused, _) = try await raw.send(
            .POST, "/v1/push", token: viewer, body: forged, headers: [(ProtocolVersion.header, "2")])
        #expect(refused == 400, "a page of no records is refused")
        #expect(try await raw.latest(token: viewer) == before)
    }

    /// What a delta from the weakest tokens, or a malformed one, gets: refused whole, nothing stored.
    @Test func deltasAreVerifiedLikeWholeRecords() async throws {
        let cluster = try Cluster()
        let raw = RawHTTP(base: cluster.server.url)
        let amman = try Replica.open(at: try cluster.replica("amman"))
        _ = try await sync(amman)
        let state = try #require(try await amman.record(Self.id))
        let before = try await raw.latest(token: try cluster.server.token(name: "reader", role: "admin"))

        func forged(
            _ who: String, role: String, office: String? = nil, stores: [String],
            edit: (inout RecordState, ReplicaID) -> Void
        )
            async throws -> (Int, String)
        {
            let token = try cluster.server.token(name: who, role: role, office: office)
            let replica = ReplicaID("\(who)-1")
            var record = state
            edit(&record, replica)
            var json = String(decoding: RecordJSON.encode(record, stores: nil), as: UTF8.self)
            json.removeLast()
            json += ",\"stores\":[\(stores.map { "\"\($0)\"" }.joined(separator: ","))]}"
            let body = Data("{\"replica\":\"\(replica)\",\"changes\":[\(json)]}".utf8)
            return try await raw.send(
                .POST, "/v1/push", token: token, body: body, headers: [(ProtocolVersion.header, "2")])
        }
        func write(_ field: String, _ value: String) -> (inout RecordState, ReplicaID) -> Void {
            { record, replica in
                let dot = record.context.advance(replica)
                record.fields = [
                    field: [
                        FieldCandidate(
                            dot: dot,
                            time: HybridTimestamp(
                                wall: UInt64(Date().timeIntervalSince1970 * 1000), logical: 0, replica: replica),
                            value: value)
                    ]
                ]
                record.translations = [:]
                record.tombstones = []
            }
        }
        let viewer = try await forged("viewer", role: "viewer", stores: ["fields.comment"], edit: write("comment", "x"))
        #expect(viewer.0 == 403, "\(viewer)")
        let office = try await forged(
            "office", role: "office", office: "AFG", stores: ["fields.title"], edit: write("title", "renamed"))
        #expect(office.0 == 403, "\(office)")
        // An empty store from a viewer: "every element I had seen is gone".
        let erase = try await forged("eraser", role: "viewer", stores: ["fields.title"]) { record, _ in
            record.fields = [:]
            record.translations = [:]
            record.tombstones = []
        }
        #expect(erase.0 == 403, "\(erase)")
        let unknown = try await forged("typo", role: "admin", stores: ["fields.no_such_field"]) { record, _ in
            record.fields = [:]
            record.translations = [:]
            record.tombstones = []
        }
        #expect(unknown.0 == 400 && unknown.1.contains("no_such_field"), "\(unknown)")
        let unnamed = try await forged(
            "sloppy", role: "admin", stores: ["fields.comment"], edit: write("status", "delayed"))
        #expect(unnamed.0 == 400 && unnamed.1.contains("does not name"), "\(unnamed)")
        #expect(try await raw.latest(token: try cluster.server.token(name: "reader2", role: "admin")) == before)
        #expect(try await amman.record(Self.id) == state)
    }
}
