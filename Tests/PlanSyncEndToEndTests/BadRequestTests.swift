import Foundation
import PlanSyncCore
import PlanSyncTestSupport
import Testing

/// Every kind of bad request: a 4xx with `{"error", "detail"}` naming the problem, nothing stored, and the
/// server still serving.
@Suite("Bad requests", .serialized)
struct BadRequestTests {
    static let valid =
        #"{"id":"iasc-protection-policy/A.1","collection":"activity","context":{"zz":1},"fields":{"comment":[{"r":"zz","n":1,"t":1,"l":0,"v":"x"}]}}"#

    static let cases: [(name: String, body: String, status: Int, detail: String)] = [
        ("malformed JSON", #"{"replica": "a", "records": [ "#, 400, "malformed"),
        ("not an object", #"[1, 2, 3]"#, 400, "malformed"),
        ("records of the wrong type", #"{"replica": "a", "records": "all"}"#, 400, "records"),
        (
            "a counter of the wrong type",
            #"{"replica":"a","records":[{"id":"p","collection":"plan","context":{"a":"one"}}]}"#, 400, "context"
        ),
        (
            "an unknown collection", #"{"replica":"a","records":[{"id":"p/x","collection":"budget","context":{}}]}"#,
            400, "does not know the collection 'budget'"
        ),
        (
            "an unknown field",
            #"{"replica":"a","records":[{"id":"iasc-protection-policy/A.1","collection":"activity","context":{"a":1},"fields":{"colour":[{"r":"a","n":1,"t":1,"l":0,"v":"red"}]}}]}"#,
            400, "does not know the field 'colour' of 'activity'"
        ),
        (
            "an invalid id", #"{"replica":"a","records":[{"id":"../etc/passwd","collection":"plan","context":{}}]}"#,
            400, "invalid id"
        ),
        (
            "an invalid status",
            #"{"replica":"a","records":[{"id":"iasc-protection-policy/A.1","collection":"activity","context":{"a":1},"fields":{"status":[{"r":"a","n":1,"t":1,"l":0,"v":"finished"}]}}]}"#,
            400, "must be one of"
        ),
        (
            "a dot outside its context",
            #"{"replica":"a","records":[{"id":"iasc-protection-policy/A.1","collection":"activity","context":{},"fields":{"comment":[{"r":"a","n":1,"t":1,"l":0,"v":"x"}]}}]}"#,
            400, "not covered"
        ),
        ("a record twice", #"{"replica":"a","records":[\#(valid),\#(valid)]}"#, 400, "appears twice"),
        (
            "a collection change",
            #"{"replica":"a","records":[{"id":"iasc-protection-policy/A.1","collection":"section","context":{"a":1},"fields":{"title":[{"r":"a","n":1,"t":1,"l":0,"v":"x"}]}}]}"#,
            400, "collection 'activity'"
        ),
        (
            "a valid record after an invalid one",
            #"{"replica":"a","records":[\#(valid),{"id":"x","collection":"nope","context":{}}]}"#, 400,
            "does not know the collection 'nope'"
        ),
    ]

    @Test(arguments: ServerStore.available)
    func eachBadPushIsRefusedAndStoresNothing(store: ServerStore) async throws {
        let cluster = try Cluster(store: store)
        let http = RawHTTP(base: cluster.server.url)
        let token = try cluster.server.token(name: "admin", role: "admin")
        let latest = try await http.latest(token: token)
        for bad in Self.cases {
            let (status, body) = try await http.send(.POST, "/v1/push", token: token, body: Data(bad.body.utf8))
            #expect(status == bad.status, "\(bad.name): \(status) \(body)")
            let error = try? JSONDecoder().decode(ErrorBody.self, from: Data(body.utf8))
            #expect(error?.detail.contains(bad.detail) == true, "\(bad.name): \(body)")
            #expect(try await http.latest(token: token) == latest, "\(bad.name) stored something")
        }
        #expect(try await http.send(.GET, "/health", token: nil).status == 200)
    }

    @Test func oversizedRequestsAre413() async throws {
        let cluster = try Cluster()
        let http = RawHTTP(base: cluster.server.url)
        let token = try cluster.server.token(name: "admin", role: "admin")
        let latest = try await http.latest(token: token)

        let many = (0..<2_001).map { RecordState(id: "iasc-protection-policy/X.\($0)", collection: "activity") }
        let batch = try JSONEncoder().encode(PushRequest(replica: ReplicaID("a"), records: many))
        let (batchStatus, batchBody) = try await http.send(.POST, "/v1/push", token: token, body: batch)
        #expect(batchStatus == 413, "\(batchBody)")
        #expect(batchBody.contains("2001 records"))

        let huge = Data(repeating: UInt8(ascii: " "), count: 17 * 1024 * 1024)
        let (hugeStatus, _) = try await http.send(.POST, "/v1/push", token: token, body: huge)
        #expect(hugeStatus == 413)

        let (badGzip, body) = try await http.send(
            .POST, "/v1/push", token: token, body: Data("not gzip".utf8), headers: [("Content-Encoding", "gzip")])
        #expect(badGzip == 400, "\(body)")
        let (badQuery, _) = try await http.send(.GET, "/v1/pull?since=minus", token: token)
        #expect(badQuery == 400)

        #expect(try await http.latest(token: token) == latest)
        #expect(try await http.send(.GET, "/health", token: nil).status == 200)
    }
}
