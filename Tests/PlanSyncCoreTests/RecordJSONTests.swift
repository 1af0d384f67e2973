import Foundation
import PlanSyncCore
import PlanSyncTestSupport
import Testing

/// The direct record codec and the `Codable` conformance are one JSON format: each reads what the other
/// writes, on records from random histories with text chosen to be hard to escape.
@Suite("Record JSON")
struct RecordJSONTests {
    static let awkward = [
        "plain", "quote \" and backslash \\", "slash / kept", "line\nbreak\r\ttab", "\u{01}\u{1F} controls",
        "Arabic الحماية", "emoji 🙂👩🏽‍⚕️", "\u{2067}isolate\u{2069}", "", "NUL \u{00} byte",
    ]

    /// Records from a seeded random history, with awkward text written into them.
    static func records(seed: UInt64) throws -> [RecordState] {
        var history = try ConvergencePropertyTests.run(seed: seed, replicas: 3, steps: 40)
        var rng = SeededGenerator(seed: seed)
        for id in ConvergencePropertyTests.ids {
            let text = awkward.shuffled(using: &rng).prefix(3).joined(separator: " ")
            try? history.sim.edit(id, .set(field: "comment", value: text), on: 1)
            try? history.sim.edit(id, .translate(field: "comment", language: "ar", text: text, status: .draft), on: 2)
            try? history.sim.edit(id, .resolve(field: "title", value: text), on: 0)
            // A settled translation carries its resolution on the wire too.
            try? history.sim.edit(
                id, .resolveTranslation(field: "title", language: "fr", text: text, status: .approved), on: 1)
        }
        return history.sim.replicas.flatMap(\.records.values)
    }

    @Test(arguments: Array(UInt64(1)...40))
    func eachReadsWhatTheOtherWrites(seed: UInt64) throws {
        for state in try Self.records(seed: seed) {
            let direct = RecordJSON.encode(state)
            #expect(try JSONDecoder().decode(RecordState.self, from: Data(direct)) == state)
            #expect(try RecordJSON.decode(Array(try WireJSON.encode(state))) == state)
            #expect(try RecordJSON.decode(try WireJSON.pretty(state)) == state, "whitespace and sorted keys")
            #expect(try RecordJSON.decode(direct) == state)
            #expect(RecordJSON.encode(try RecordJSON.decode(direct)) == direct, "equal states, identical bytes")
        }
    }

    /// A delta put together from stored pieces is the JSON of the delta written whole, and reads back as it.
    @Test(arguments: Array(UInt64(1)...20))
    func deltasFromStoredPiecesAreTheDeltas(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        for state in try Self.records(seed: seed) {
            var all: [WriteTarget] = state.fields.keys.map { .field($0) } + [.lifecycle, .field("status")]
            for (language, byField) in state.translations {
                all += byField.keys.map { .translation(field: $0, language: language) }
            }
            let stores = Set(all.shuffled(using: &rng).prefix(Int.random(in: 1...all.count, using: &rng)))
            let delta = RecordDelta(state, stores: stores)
            let pieces = RecordJSON.delta(
                id: state.id, collection: state.collection, context: RecordJSON.context(of: state),
                stores: stores.map { ($0, RecordJSON.store($0, of: state)) })
            #expect(pieces == String(decoding: RecordJSON.encode(delta.state, stores: stores), as: UTF8.self))
            let body = Array("{\"records\":[\(pieces)],\"cursor\":1,\"more\":false,\"latest\":1}".utf8)
            let page = try body.withUnsafeBufferPointer { try RecordJSON.decodePull($0) }
            #expect(page.records == [delta.state] && page.stores[state.id] == stores)
        }
    }

    @Test func wireMessagesRoundTrip() throws {
        let records = try Self.records(seed: 7)
        let push = PushRequest(replica: ReplicaID("abc"), records: records)
        let bytes = RecordJSON.encode(push)
        let viaFoundation = try JSONDecoder().decode(PushRequest.self, from: Data(bytes))
        #expect(viaFoundation.records == records && viaFoundation.replica == push.replica)
        let back = try bytes.withUnsafeBufferPointer { buffer in try RecordJSON.decodePush(buffer) }
        #expect(back.records == records && back.replica == push.replica)

        let pull = PullResponse(records: records, cursor: 42, more: true, latest: 99, evicted: ["x/report/AFG/2017"])
        let pulled = try Array(WireJSON.encode(pull)).withUnsafeBufferPointer { try RecordJSON.decodePull($0) }
        #expect(pulled.records == records && pulled.cursor == 42 && pulled.more && pulled.latest == 99)
        #expect(pulled.evicted == ["x/report/AFG/2017"])
    }

    @Test func escapesAreDecodedAsJSONSaysAndBadInputIsRefused() throws {
        let escaped =
            #"{"id":"a\/b","collection":"activity","context":{"r":1},"future":[1,{"x":null}],"fields":{"comment":[{"r":"r","n":1,"t":5,"l":0,"v":"\u00e9\ud83d\ude42\"\\\n"}]}}"#
        let state = try RecordJSON.decode(escaped)
        #expect(state.id == "a/b")
        #expect(state.fields["comment"]?.first?.value == "é🙂\"\\\n")
        for bad in [
            "", "{", #"{"id":"a","collection":"c"}"#, #"{"id":"a","collection":"c","context":{"r":-1}}"#,
            #"{"id":"a","collection":"c","context":{}} x"#, #"{"id":"a\ud800","collection":"c","context":{}}"#,
            #"{"id":"a","collection":"c","context":{},"fields":{"f":[{"r":"r","n":0,"t":1,"l":0,"v":""}]}}"#,
            #"{"id":"a","collection":"c","context":{"r":1.5}}"#,
            "{\"id\":\"a\nb\",\"collection\":\"c\",\"context\":{}}",
            #"{"id":"a","collection":"c","context":{},"translations":{"fr":{"t":[{"r":"r","n":1,"t":1,"l":0,"v":"x","status":"done","source":"s"}]}}}"#,
        ] {
            #expect(throws: RecordJSONError.self, "\(bad)") { try RecordJSON.decode(bad) }
        }
    }
}
