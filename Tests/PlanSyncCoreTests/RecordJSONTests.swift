import Foundation
import PlanSyncCore
import PlanSyncTestSupport
import Testing

/// The direct record codec and the `Codable` conformance are one JSON format in its verbose form: each reads
/// what the other writes, and the compact form reads back as the same state, on records from random histories
/// with text chosen to be hard to escape.
@Suite("Record JSON")
struct RecordJSONTests {
    static let awkward = [
        "plain", "quote \" and backslash \\", "slash / kept", "line\nbreak\r\ttab", "\u{01}\u{1F} controls",
        "Arabic الحماية", "emoji 🙂👩🏽‍⚕️", "\u{2067}isolate\u{2069}", "", "NUL \u{00} byte", "brackets ] } [ {",
        // Runs of backslashes before a quote (odd in the JSON: escaped) and at the end (even: the string ends).
        "run \\\\\\\"\\\\ of backslashes \\",
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
            let verbose = RecordJSON.encode(state, form: .verbose)
            #expect(try JSONDecoder().decode(RecordState.self, from: Data(verbose)) == state)
            #expect(try RecordJSON.decode(Array(try WireJSON.encode(state))) == state)
            #expect(try RecordJSON.decode(try WireJSON.pretty(state)) == state, "whitespace and sorted keys")
            #expect(try RecordJSON.decode(verbose) == state)
            let compact = RecordJSON.encode(state)
            #expect(try RecordJSON.decode(compact) == state)
            #expect(RecordJSON.encode(try RecordJSON.decode(compact)) == compact, "equal states, identical bytes")
            #expect(RecordJSON.encode(try RecordJSON.decode(verbose)) == compact, "either form gives the other")
            #expect(try RecordJSON.verbose(String(decoding: compact, as: UTF8.self)).utf8.elementsEqual(verbose))
            #expect(compact.count < verbose.count || state.fields.isEmpty && state.translations.isEmpty)
        }
    }

    /// A random non-empty set of `state`'s stores, with a field and the tombstones it may not hold.
    static func someStores(of state: RecordState, using rng: inout SeededGenerator) -> Set<WriteTarget> {
        var all: [WriteTarget] = state.fields.keys.map { .field($0) } + [.lifecycle, .field("status")]
        for (language, byField) in state.translations {
            all += byField.keys.map { .translation(field: $0, language: language) }
        }
        return Set(all.shuffled(using: &rng).prefix(Int.random(in: 1...all.count, using: &rng)))
    }

    /// A delta put together from stored pieces is the JSON of the delta written whole, and reads back as it.
    @Test(arguments: Array(UInt64(1)...20))
    func deltasFromStoredPiecesAreTheDeltas(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        for state in try Self.records(seed: seed) {
            let stores = Self.someStores(of: state, using: &rng)
            let delta = RecordDelta(state, stores: stores)
            let pieces = String(
                decoding: try RecordJSON.delta(
                    id: state.id, collection: state.collection, context: RecordJSON.context(of: state),
                    stores: stores.map { ($0, RecordJSON.store($0, of: state)) }), as: UTF8.self)
            #expect(pieces == String(decoding: RecordJSON.encode(delta.state, stores: stores), as: UTF8.self))
            let body = Array("{\"records\":[\(pieces)],\"cursor\":1,\"more\":false,\"latest\":1}".utf8)
            let page = try body.withUnsafeBufferPointer { try RecordJSON.decodePull($0) }
            #expect(page.records == [delta.state] && page.stores[state.id] == stores)
        }
    }

    /// Storage by field: a record read for some of its stores, the rest skimmed over unread, holds just those
    /// stores as written, in either form; and a snapshot with newer pieces reads as the record now.
    @Test(arguments: Array(UInt64(1)...20))
    func recordsStoredByFieldReadBackInPartAndWhole(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        for state in try Self.records(seed: seed) {
            let stores = Self.someStores(of: state, using: &rng)
            for form in [RecordForm.compact, .verbose] {
                let json = RecordJSON.string(state, form: form)
                let part = try RecordJSON.stored(snapshot: json, context: nil, pieces: [], only: stores)
                #expect(part == RecordDelta(state, stores: stores).state, "\(form), \(stores)")
                #expect(try RecordJSON.stored(snapshot: json, context: nil, pieces: []) == state)
            }
            // An older snapshot (the stores above emptied, the context behind) with the stores now as pieces.
            var older = state
            for target in stores {
                older = RecordDelta(RecordState(id: state.id, collection: state.collection), stores: [target])
                    .filled(from: older)
            }
            older.context = VersionVector()
            let pieces = stores.sorted { $0.storeName < $1.storeName }.map { ($0, RecordJSON.store($0, of: state)) }
            let now = try RecordJSON.stored(
                snapshot: RecordJSON.string(older), context: RecordJSON.context(of: state), pieces: pieces)
            #expect(now == state)
            let some = Set(stores.prefix(1))
            #expect(
                try RecordJSON.stored(
                    snapshot: RecordJSON.string(older), context: RecordJSON.context(of: state), pieces: pieces,
                    only: some) == RecordDelta(state, stores: some).state)
        }
    }

    /// A stored row read in place reads as the same row made a `String` first, bad UTF-8 and all (a file
    /// written by a careless tool): each string the reader makes is repaired as the whole `String` would be, and
    /// a broken byte outside a string is refused both ways.
    @Test(arguments: Array(UInt64(1)...10))
    func storedBytesReadAsTheirStringDoes(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let broken: [[UInt8]] = [
            [0xFF], [0xC3], [0xE2, 0x82], [0xF0, 0x9F, 0x99], [0xED, 0xA0, 0x80], [0x80, 0x80],
        ]
        // Words that begin texts of `awkward`, never an id, a key or a store's name.
        let markers = ["plain", "slash", "brackets", "Arabic", "emoji", "line", "quote", "NUL"]
        // Records that read with bad bytes in them: some must, or the comparison says nothing.
        var read = 0
        for state in try Self.records(seed: seed) {
            // Bad bytes inside the texts written into the records (`awkward`): in string values.
            var bytes: [UInt8] = []
            let encoded = RecordJSON.encode(state)
            var at = 0
            while at < encoded.count {
                if markers.contains(where: { encoded[at...].starts(with: $0.utf8) }) {
                    bytes += encoded[at..<at + 2] + broken.randomElement(using: &rng)!
                    at += 2
                } else {
                    bytes.append(encoded[at])
                    at += 1
                }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let stores = Self.someStores(of: state, using: &rng)
            for only in [nil, stores] {
                let fromText = Swift.Result {
                    try RecordJSON.stored(snapshot: text, context: nil, pieces: [], only: only)
                }
                let fromBytes = Swift.Result {
                    try RecordJSON.stored(snapshot: bytes, context: nil, pieces: [], only: only)
                }
                switch (fromText, fromBytes) {
                case (.success(let a), .success(let b)): #expect(a == b)
                case (.failure, .failure): break
                default: Issue.record("read as text: \(fromText); read in place: \(fromBytes)")
                }
            }
            let (decodedBytes, decodedText) = (try? RecordJSON.decode(bytes), try? RecordJSON.decode(text))
            #expect(decodedBytes == decodedText)
            if decodedBytes != nil, bytes != encoded { read += 1 }
            // Outside any string, a bad byte is bad JSON, read either way.
            var outside = RecordJSON.encode(state)
            outside.insert(0xFF, at: 1)
            #expect(throws: RecordJSONError.self) { try RecordJSON.stored(snapshot: outside, context: nil, pieces: []) }
            #expect(throws: RecordJSONError.self) {
                try RecordJSON.stored(snapshot: String(decoding: outside, as: UTF8.self), context: nil, pieces: [])
            }
        }
        #expect(read > 0)
    }

    @Test func wireMessagesRoundTrip() throws {
        let records = try Self.records(seed: 7)
        let push = PushRequest(replica: ReplicaID("abc"), records: records)
        let bytes = RecordJSON.encode(push)
        let viaFoundation = try JSONDecoder().decode(PushRequest.self, from: Data(bytes))
        #expect(viaFoundation.records == records && viaFoundation.replica == push.replica)
        let back = try bytes.withUnsafeBufferPointer { buffer in try RecordJSON.decodePush(buffer) }
        #expect(back.records == records && back.replica == push.replica && back.version == 1)
        #expect(String(decoding: bytes, as: UTF8.self).contains(#"{"r":"#), "version 1 is verbose")

        let compact = PushRequest(replica: ReplicaID("abc"), records: records, version: 2)
        let compactBytes = RecordJSON.encode(compact)
        let compactBack = try compactBytes.withUnsafeBufferPointer { buffer in try RecordJSON.decodePush(buffer) }
        #expect(compactBack.records == records && compactBack.version == 2 && compactBytes.count < bytes.count)

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

    /// The compact form's defaults and indexes, written out by hand, and its two rules of key order.
    @Test func compactEntriesReadAgainstTheirContextAndTimeBase() throws {
        let compact =
            #"{"id":"a","collection":"activity","context":{"p":2,"q":5},"t0":1000,"fields":{"comment":["#
            + #"{"n":2,"v":"x"},{"r":1,"n":5,"t":7,"l":3,"v":"y"},{"r":"z","n":1,"t":1,"v":"w"}]}}"#
        let entries = try RecordJSON.decode(compact).fields["comment"] ?? []
        #expect(entries.map(\.dot) == [Dot(ReplicaID("p"), 2), Dot(ReplicaID("q"), 5), Dot(ReplicaID("z"), 1)])
        #expect(entries.map(\.time.wall) == [1000, 1007, 1001])
        #expect(entries.map(\.time.logical) == [0, 3, 0])
        #expect(entries.map(\.time.replica) == entries.map(\.dot.replica))

        // What the writer leaves out it would have written as these defaults.
        var state = RecordState(id: "a", collection: "activity")
        state.context = VersionVector([ReplicaID("p"): 2, ReplicaID("q"): 5])
        state.fields["comment"] = [
            FieldCandidate(
                dot: Dot(ReplicaID("p"), 2), time: HybridTimestamp(wall: 1000, logical: 0, replica: ReplicaID("p")),
                value: "x"),
            FieldCandidate(
                dot: Dot(ReplicaID("q"), 5), time: HybridTimestamp(wall: 1007, logical: 3, replica: ReplicaID("q")),
                value: "y"),
        ]
        #expect(
            RecordJSON.string(state)
                == #"{"id":"a","collection":"activity","context":{"p":2,"q":5},"t0":1000,"fields":{"comment":["#
                + #"{"n":2,"v":"x"},{"r":1,"n":5,"t":7,"l":3,"v":"y"}]}}"#)

        for bad in [
            // An index before the context it points into.
            #"{"id":"a","collection":"c","fields":{"f":[{"n":1,"v":""}]},"context":{"p":1}}"#,
            // A time base after the entries it is the base of.
            #"{"id":"a","collection":"c","context":{"p":1},"fields":{"f":[{"n":1,"v":""}]},"t0":5}"#,
            // An index past the context.
            #"{"id":"a","collection":"c","context":{"p":1},"fields":{"f":[{"r":1,"n":1,"v":""}]}}"#,
            #"{"id":"a","collection":"c","context":{},"fields":{"f":[{"n":1,"v":""}]}}"#,
            // A time past the largest.
            #"{"id":"a","collection":"c","context":{"p":1},"t0":18446744073709551615,"#
                + #""fields":{"f":[{"n":1,"t":1,"v":""}]}}"#,
        ] {
            #expect(throws: RecordJSONError.self, "\(bad)") { try RecordJSON.decode(bad) }
        }
    }
}
