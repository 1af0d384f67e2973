import Foundation

/// The record's JSON form written and read directly, without `Codable`'s keyed containers: every pulled page,
/// pushed batch and stored row goes through it, and Foundation's coders spent most of a sync's time there.
///
/// A record is written in one of two forms (`RecordForm`): the compact form, stored and sent to version-2
/// peers, and the verbose form of protocol version 1, which is also `RecordState`'s `Codable` conformance
/// (`RecordJSONTests` checks both agree on random records). It writes object keys in a fixed order
/// (dictionaries sorted), so equal states give identical bytes. It reads either form, and any valid JSON of
/// that shape: whitespace, key order (but for the two rules of the compact form in `RecordForm`), escapes,
/// unknown keys (skipped, for later versions).
public enum RecordJSON {
    /// The state as UTF-8 JSON, compact unless told otherwise.
    public static func encode(_ state: RecordState, form: RecordForm = .compact) -> [UInt8] {
        var writer = JSONWriter()
        writer.record(state, form: form)
        return writer.bytes
    }

    public static func string(_ state: RecordState, form: RecordForm = .compact) -> String {
        String(decoding: encode(state, form: form), as: UTF8.self)
    }

    /// A record's JSON, in either form, rewritten in the verbose form of version 1.
    public static func verbose(_ json: [UInt8]) throws(RecordJSONError) -> [UInt8] {
        encode(try decode(json), form: .verbose)
    }

    /// `verbose(_:)` of a JSON text.
    public static func verbose(_ json: String) throws(RecordJSONError) -> String {
        String(decoding: try verbose(Array(json.utf8)), as: UTF8.self)
    }

    /// The bytes of causal metadata in the state's compact JSON: its context, its time base, and every
    /// entry's replica, counter and time (with the keys, quotes and commas that carry them).
    public static func causalBytes(of state: RecordState) -> Int {
        var writer = JSONWriter()
        writer.frame = StampFrame(state)
        writer.versionVector(state.context)
        var total = writer.bytes.count + writer.frame!.baseBytes
        func count(_ dot: Dot, _ time: HybridTimestamp) {
            writer.bytes.removeAll(keepingCapacity: true)
            writer.stamp(dot, time)
            total += writer.bytes.count + 1
        }
        for entries in state.fields.values { for entry in entries { count(entry.dot, entry.time) } }
        for byField in state.translations.values {
            for entries in byField.values { for entry in entries { count(entry.dot, entry.time) } }
        }
        for tombstone in state.tombstones {
            count(tombstone.dot, tombstone.time)
            writer.bytes.removeAll(keepingCapacity: true)
            writer.versionVector(tombstone.seen)
            total += writer.bytes.count + 8
        }
        return total
    }

    /// Reads one record.
    public static func decode(_ json: String) throws(RecordJSONError) -> RecordState {
        var json = json
        return try json.withUTF8 { bytes in Result { () throws(RecordJSONError) in try decode(bytes) } }.get()
    }

    public static func decode(_ bytes: UnsafeBufferPointer<UInt8>) throws(RecordJSONError) -> RecordState {
        var reader = JSONReader(bytes)
        let state = try reader.record()
        try reader.end()
        return state
    }

    /// Reads one record from its UTF-8 as stored or sent (`[UInt8]`, a row's `Data`), in place.
    public static func decode(_ bytes: some ContiguousBytes) throws(RecordJSONError) -> RecordState {
        try bytes.withUnsafeBytes { raw in
            Result { () throws(RecordJSONError) in try decode(raw.bindMemory(to: UInt8.self)) }
        }.get()
    }

    // MARK: - Stores, for storage by field

    /// The JSON of one store of `state`: its entries' array (`[]` when it holds none), verbose, so that it reads
    /// alone: a stored piece outlives changes of its record's context.
    public static func store(_ target: WriteTarget, of state: RecordState) -> String {
        var writer = JSONWriter()
        switch target {
        case .field(let name):
            writer.array(state.fields[name] ?? []) { writer, candidate in writer.fieldCandidate(candidate) }
        case .translation(let field, let language):
            writer.array(state.translations[language]?[field] ?? []) { writer, candidate in
                writer.translationCandidate(candidate)
            }
        case .lifecycle:
            writer.tombstones(state.tombstones)
        }
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// A set of stores as a JSON array of their names, sorted: the same text for the same set.
    public static func string(stores: Set<WriteTarget>) -> String {
        var writer = JSONWriter()
        writer.array(stores.map(\.storeName).sorted()) { writer, name in writer.string(name) }
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// Reads a set of stores written by `string(stores:)`.
    public static func stores(_ json: String) throws(RecordJSONError) -> Set<WriteTarget> {
        try read(json) { reader throws(RecordJSONError) in try reader.storeNames() }
    }

    /// The JSON of a record's context.
    public static func context(of state: RecordState) -> String {
        string(state.context)
    }

    /// A version vector alone, `{"REPLICA":COUNTER,…}` with the replicas sorted: the same text for the same
    /// vector, whatever process writes it.
    public static func string(_ vector: VersionVector) -> String {
        var writer = JSONWriter()
        writer.versionVector(vector)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// Reads a version vector written by `string(_:)`.
    public static func versionVector(_ json: String) throws(RecordJSONError) -> VersionVector {
        var json = json
        return try json.withUTF8 { bytes in
            Result { () throws(RecordJSONError) in
                var reader = JSONReader(bytes)
                let vector = try reader.versionVector()
                try reader.end()
                return vector
            }
        }.get()
    }

    /// A delta's JSON put together from stored pieces — the context's JSON and each carried store's
    /// (`store(_:of:)`) — reading only those pieces, not the rest of the record: the same JSON
    /// `encode(_:stores:)` writes for the delta.
    public static func delta(
        id: String, collection: String, context: String, stores: [(target: WriteTarget, json: String)]
    ) throws(RecordJSONError) -> [UInt8] {
        let delta = try pieces(id: id, collection: collection, context: context, stores: stores)
        return encode(delta.state, stores: delta.stores)
    }

    /// A record stored by field (docs/PROTOCOL.md, "Storage by field"): `snapshot`, its whole state when it was
    /// last written whole, with each store in `pieces` (written since) in place of the snapshot's, and `context`,
    /// its context now (nil: the snapshot's, when no piece is newer). With `only`, just those stores are read:
    /// the rest of the snapshot is skipped, unread.
    public static func stored(
        snapshot: String, context: String?, pieces: [(target: WriteTarget, json: String)],
        only wanted: Set<WriteTarget>? = nil
    ) throws(RecordJSONError) -> RecordState {
        var snapshot = snapshot
        return try snapshot.withUTF8 { bytes in
            Result { () throws(RecordJSONError) in
                try stored(snapshot: bytes, context: context, pieces: pieces, only: wanted)
            }
        }.get()
    }

    /// `stored(snapshot:context:pieces:only:)` of the snapshot's UTF-8 as stored: a row's bytes read in place,
    /// never made a `String` (which would check every byte before the reader does; the reader makes each string
    /// it reads with the same repair of bad UTF-8).
    public static func stored(
        snapshot: some ContiguousBytes, context: String?, pieces: [(target: WriteTarget, json: String)],
        only wanted: Set<WriteTarget>? = nil
    ) throws(RecordJSONError) -> RecordState {
        let base = try snapshot.withUnsafeBytes { raw in
            Result { () throws(RecordJSONError) in
                var reader = JSONReader(raw.bindMemory(to: UInt8.self))
                let state = try reader.record(only: wanted)
                try reader.end()
                return state
            }
        }.get()
        guard let context else { return base }
        let newer = wanted.map { wanted in pieces.filter { wanted.contains($0.target) } } ?? pieces
        let delta = try Self.pieces(id: base.id, collection: base.collection, context: context, stores: newer)
        return delta.filled(from: base)
    }

    /// The delta that stored pieces make: the context's JSON and each store's (`store(_:of:)`).
    private static func pieces(
        id: String, collection: String, context: String, stores: [(target: WriteTarget, json: String)]
    ) throws(RecordJSONError) -> RecordDelta {
        var state = RecordState(id: id, collection: collection)
        state.context = try read(context) { reader throws(RecordJSONError) in try reader.versionVector() }
        for (target, json) in stores {
            switch target {
            case .field(let name):
                let entries = try read(json) { reader throws(RecordJSONError) in
                    try reader.array { reader throws(RecordJSONError) in try reader.fieldCandidate() }
                }
                if !entries.isEmpty { state.fields[name] = entries }
            case .translation(let field, let language):
                let entries = try read(json) { reader throws(RecordJSONError) in
                    try reader.array { reader throws(RecordJSONError) in try reader.translationCandidate() }
                }
                if !entries.isEmpty { state.translations[language, default: [:]][field] = entries }
            case .lifecycle:
                state.tombstones = try read(json) { reader throws(RecordJSONError) in
                    try reader.array { reader throws(RecordJSONError) in try reader.tombstone() }
                }
            }
        }
        return RecordDelta(state, stores: Set(stores.map(\.target)))
    }

    /// One whole JSON text read by `body`.
    private static func read<T>(_ json: String, _ body: (inout JSONReader) throws(RecordJSONError) -> T)
        throws(RecordJSONError) -> T
    {
        var json = json
        return try json.withUTF8 { bytes in
            Result { () throws(RecordJSONError) in
                var reader = JSONReader(bytes)
                let value = try body(&reader)
                try reader.end()
                return value
            }
        }.get()
    }

    // MARK: - Wire messages holding records

    /// `PushRequest` as JSON: verbose whole records in `records` (version 1), or compact records in `changes`,
    /// the deltas with their `stores` (version 2).
    public static func encode(_ push: PushRequest) -> [UInt8] {
        var writer = JSONWriter()
        writer.raw("{\"replica\":")
        writer.string(push.replica.rawValue)
        writer.raw(push.version >= 2 ? ",\"changes\":[" : ",\"records\":[")
        let form: RecordForm = push.version >= 2 ? .compact : .verbose
        for (index, record) in push.records.enumerated() {
            if index > 0 { writer.byte(UInt8(ascii: ",")) }
            writer.record(record, stores: push.stores[record.id], form: form)
        }
        writer.raw(push.recover ? "],\"recover\":true" : "]")
        if let pull = push.pull {
            writer.raw(",\"pull\":{\"since\":")
            writer.number(pull.since)
            writer.raw(",\"limit\":")
            writer.number(UInt64(max(0, pull.limit)))
            writer.byte(UInt8(ascii: "}"))
        }
        writer.byte(UInt8(ascii: "}"))
        return writer.bytes
    }

    /// One record of a version-2 pull page or push as compact JSON, with `"stores"` when it is a delta.
    public static func encode(_ state: RecordState, stores: Set<WriteTarget>?) -> [UInt8] {
        var writer = JSONWriter()
        writer.record(state, stores: stores, form: .compact)
        return writer.bytes
    }

    /// A push's answer as JSON, with the pull page it carries (`PushRequest.pull`) already written as `page`.
    /// Empty lists are left out: every reader takes a missing list for an empty one.
    public static func encode(_ response: PushResponse, page: [UInt8]?) -> [UInt8] {
        var writer = JSONWriter()
        writer.raw("{\"received\":")
        writer.number(UInt64(response.received))
        writer.key("changed")
        writer.number(UInt64(response.changed))
        for (name, list) in [("evicted", response.evicted), ("held", response.held), ("partial", response.partial)]
        where !list.isEmpty {
            writer.byte(UInt8(ascii: ","))
            writer.string(name)
            writer.byte(UInt8(ascii: ":"))
            writer.array(list) { writer, id in writer.string(id) }
        }
        if let history = response.history {
            writer.key("history")
            writer.raw("{\"epoch\":")
            writer.string(history.epoch)
            writer.key("seq")
            writer.number(history.seq)
            writer.byte(UInt8(ascii: "}"))
        }
        if let page {
            writer.key("page")
            writer.append(page)
        }
        writer.byte(UInt8(ascii: "}"))
        return writer.bytes
    }

    /// A pull page as JSON from records already written (`records`, each a record's JSON): `extra` is more
    /// members, written as they are (`,"time":…`). An empty `evicted` is left out.
    public static func pullPage(
        records: [[UInt8]], evicted: [String], cursor: UInt64, more: Bool, latest: UInt64, extra: String
    ) -> [UInt8] {
        var writer = JSONWriter()
        writer.bytes.reserveCapacity(records.reduce(64 + extra.utf8.count) { $0 + $1.count + 1 })
        writer.raw("{\"records\":")
        writer.array(records) { writer, json in writer.append(json) }
        if !evicted.isEmpty {
            writer.key("evicted")
            writer.array(evicted) { writer, id in writer.string(id) }
        }
        writer.key("cursor")
        writer.number(cursor)
        writer.key("more")
        if more { writer.raw("true") } else { writer.raw("false") }
        writer.key("latest")
        writer.number(latest)
        writer.append(extra)
        writer.byte(UInt8(ascii: "}"))
        return writer.bytes
    }

    public static func decodePush(_ bytes: UnsafeBufferPointer<UInt8>) throws(RecordJSONError) -> PushRequest {
        var reader = JSONReader(bytes)
        var replica: ReplicaID?
        var records: [RecordState]?
        var stores: [String: Set<WriteTarget>] = [:]
        var recover = false
        var pull: PushRequest.PullRequest?
        var version = 1
        try reader.object { reader, key throws(RecordJSONError) in
            switch key {
            case "replica": replica = ReplicaID(try reader.string())
            case "recover": recover = try reader.bool()
            case "pull":
                var since: UInt64?
                var limit: UInt64?
                try reader.object { reader, key throws(RecordJSONError) in
                    switch key {
                    case "since": since = try reader.unsigned()
                    case "limit": limit = try reader.unsigned()
                    default: try reader.skip()
                    }
                }
                guard let since, let limit, limit > 0 else {
                    throw reader.fail("pull: needs 'since' and a 'limit' over 0")
                }
                pull = PushRequest.PullRequest(since: since, limit: Int(clamping: limit))
            case "records", "changes":
                guard records == nil else { throw reader.fail("push: both 'records' and 'changes'") }
                let deltas = key == "changes"
                version = deltas ? 2 : 1
                records = try reader.array { reader throws(RecordJSONError) in
                    var carried: Set<WriteTarget>?
                    let record = try reader.record(stores: &carried)
                    if let carried {
                        guard deltas else { throw reader.fail("'stores' in a version-1 push ('records')") }
                        guard stores.updateValue(carried, forKey: record.id) == nil else {
                            throw reader.fail("\(record.id): appears twice in one push")
                        }
                    }
                    return record
                }
            default: try reader.skip()
            }
        }
        try reader.end()
        guard let replica else { throw RecordJSONError("push: missing 'replica'") }
        guard let records else { throw RecordJSONError("push: missing 'records'") }
        var push = PushRequest(replica: replica, records: records, stores: stores, recover: recover, version: version)
        push.pull = pull
        return push
    }

    public static func decodePull(_ bytes: UnsafeBufferPointer<UInt8>) throws(RecordJSONError) -> PullResponse {
        var reader = JSONReader(bytes)
        let page = try reader.pullPage()
        try reader.end()
        return page
    }

    /// A push's answer, with the pull page it may carry (`PushRequest.pull`).
    public static func decodePushResponse(_ bytes: UnsafeBufferPointer<UInt8>) throws(RecordJSONError) -> PushResponse {
        var reader = JSONReader(bytes)
        var received: UInt64?
        var changed: UInt64?
        var lists: [String: [String]] = [:]
        var history: HistoryPosition?
        var page: PullResponse?
        try reader.object { reader, key throws(RecordJSONError) in
            switch key {
            case "received": received = try reader.unsigned()
            case "changed": changed = try reader.unsigned()
            case "evicted", "held", "partial":
                lists[key] = try reader.array { reader throws(RecordJSONError) in try reader.string() }
            case "history":
                var epoch: String?
                var seq: UInt64?
                try reader.object { reader, key throws(RecordJSONError) in
                    switch key {
                    case "epoch": epoch = try reader.string()
                    case "seq": seq = try reader.unsigned()
                    default: try reader.skip()
                    }
                }
                guard let epoch, let seq else { throw reader.fail("history needs 'epoch' and 'seq'") }
                history = HistoryPosition(epoch: epoch, seq: seq)
            case "page": page = try reader.pullPage()
            default: try reader.skip()
            }
        }
        try reader.end()
        guard let received, let changed else { throw RecordJSONError("push answer: missing 'received' or 'changed'") }
        var response = PushResponse(
            received: Int(clamping: received), changed: Int(clamping: changed), evicted: lists["evicted"] ?? [],
            held: lists["held"] ?? [], partial: lists["partial"] ?? [], history: history)
        response.page = page
        return response
    }
}

extension JSONReader {
    /// A pull page: `{"records": […], "cursor": …, "more": …, "latest": …, …}`.
    mutating func pullPage() throws(RecordJSONError) -> PullResponse {
        var records: [RecordState]?
        var received: [String] = []
        var cursor: UInt64?
        var more: Bool?
        var latest: UInt64?
        var evicted: [String] = []
        var time: UInt64?
        var epoch: String?
        var stores: [String: Set<WriteTarget>] = [:]
        var version: Int?
        var awaySince: UInt64?
        try object { reader, key throws(RecordJSONError) in
            switch key {
            case "time": time = try reader.unsigned()
            case "awaySince": awaySince = try reader.unsigned()
            case "epoch": epoch = try reader.string()
            case "protocol": version = Int(clamping: try reader.unsigned())
            case "records":
                records = try reader.array { reader throws(RecordJSONError) in
                    _ = try reader.peek()
                    let start = reader.index
                    var carried: Set<WriteTarget>?
                    let record = try reader.record(stores: &carried)
                    if let carried { stores[record.id] = carried }
                    received.append(
                        String(
                            decoding: UnsafeBufferPointer(rebasing: reader.bytes[start..<reader.index]), as: UTF8.self))
                    return record
                }
            case "cursor": cursor = try reader.unsigned()
            case "more": more = try reader.bool()
            case "latest": latest = try reader.unsigned()
            case "evicted": evicted = try reader.array { reader throws(RecordJSONError) in try reader.string() }
            default: try reader.skip()
            }
        }
        guard let records, let cursor, let more, let latest else {
            throw RecordJSONError("pull: missing 'records', 'cursor', 'more' or 'latest'")
        }
        var page = PullResponse(
            records: records, cursor: cursor, more: more, latest: latest, evicted: evicted, receivedJSON: received,
            time: time, epoch: epoch, stores: stores, protocolVersion: version)
        page.awaySince = awaySince
        return page
    }
}

/// JSON that is not a record of the expected shape, with what was wrong and where.
public struct RecordJSONError: Error, CustomStringConvertible, Sendable {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}

// MARK: - Writing

struct JSONWriter {
    var bytes: [UInt8] = []
    /// Set while a compact record is written: how its entries' stamps are written.
    var frame: StampFrame?

    init() {
        bytes.reserveCapacity(4096)
    }

    mutating func byte(_ byte: UInt8) { bytes.append(byte) }
    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        // Most text needs no escape: copy its bytes at once.
        var text = text
        let plain = text.withUTF8 { utf8 in
            guard !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
                return false
            }
            bytes.append(contentsOf: utf8)
            return true
        }
        if plain { return bytes.append(UInt8(ascii: "\"")) }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            case 0x08: raw("\\b")
            case 0x0C: raw("\\f")
            case 0..<0x20:
                raw("\\u00")
                bytes.append(Self.hex[Int(byte >> 4)])
                bytes.append(Self.hex[Int(byte & 0xF)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    static let hex = Array("0123456789abcdef".utf8)

    mutating func number(_ value: UInt64) {
        if value == 0 { return bytes.append(UInt8(ascii: "0")) }
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            while rest > 0 {
                buffer[count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            }
            for index in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[index]) }
        }
    }

    mutating func key(_ key: StaticString, first: Bool = false) {
        if !first { byte(UInt8(ascii: ",")) }
        byte(UInt8(ascii: "\""))
        raw(key)
        raw("\":")
    }

    mutating func versionVector(_ vector: VersionVector) {
        byte(UInt8(ascii: "{"))
        for (index, (replica, counter)) in vector.counters.sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { byte(UInt8(ascii: ",")) }
            string(replica.rawValue)
            byte(UInt8(ascii: ":"))
            number(counter)
        }
        byte(UInt8(ascii: "}"))
    }

    /// The stamp keys of an entry: all four, verbose; in a compact record only those that differ from their
    /// default (`StampFrame`), the counter always.
    mutating func stamp(_ dot: Dot, _ time: HybridTimestamp) {
        guard let frame else {
            key("r", first: true)
            string(dot.replica.rawValue)
            key("n")
            number(dot.counter)
            key("t")
            number(time.wall)
            key("l")
            number(UInt64(time.logical))
            return
        }
        var first = true
        switch frame.index(of: dot.replica) {
        case 0: break
        case let index?:
            key("r", first: true)
            number(UInt64(index))
            first = false
        case nil:
            key("r", first: true)
            string(dot.replica.rawValue)
            first = false
        }
        key("n", first: first)
        number(dot.counter)
        if time.wall != frame.base {
            key("t")
            number(time.wall - frame.base)
        }
        if time.logical != 0 {
            key("l")
            number(UInt64(time.logical))
        }
    }

    mutating func record(_ state: RecordState, stores: Set<WriteTarget>? = nil, form: RecordForm) {
        let outer = frame
        defer { frame = outer }
        frame = form == .compact ? StampFrame(state) : nil
        byte(UInt8(ascii: "{"))
        key("id", first: true)
        string(state.id)
        key("collection")
        string(state.collection)
        key("context")
        versionVector(state.context)
        if let frame, frame.base != 0 {
            key("t0")
            number(frame.base)
        }
        if !state.fields.isEmpty {
            key("fields")
            byte(UInt8(ascii: "{"))
            for (index, name) in state.fields.keys.sorted().enumerated() {
                if index > 0 { byte(UInt8(ascii: ",")) }
                string(name)
                byte(UInt8(ascii: ":"))
                array(state.fields[name]!) { writer, candidate in writer.fieldCandidate(candidate) }
            }
            byte(UInt8(ascii: "}"))
        }
        if !state.translations.isEmpty {
            key("translations")
            byte(UInt8(ascii: "{"))
            for (index, language) in state.translations.keys.sorted().enumerated() {
                if index > 0 { byte(UInt8(ascii: ",")) }
                string(language)
                byte(UInt8(ascii: ":"))
                byte(UInt8(ascii: "{"))
                let fields = state.translations[language]!
                for (index, name) in fields.keys.sorted().enumerated() {
                    if index > 0 { byte(UInt8(ascii: ",")) }
                    string(name)
                    byte(UInt8(ascii: ":"))
                    array(fields[name]!) { writer, candidate in writer.translationCandidate(candidate) }
                }
                byte(UInt8(ascii: "}"))
            }
            byte(UInt8(ascii: "}"))
        }
        if !state.tombstones.isEmpty {
            key("tombstones")
            tombstones(state.tombstones)
        }
        if let stores {
            key("stores")
            array(stores.map(\.storeName).sorted()) { writer, name in writer.string(name) }
        }
        byte(UInt8(ascii: "}"))
    }

    mutating func tombstones(_ tombstones: [Tombstone]) {
        array(tombstones) { writer, tombstone in
            writer.byte(UInt8(ascii: "{"))
            writer.stamp(tombstone.dot, tombstone.time)
            writer.key("seen")
            writer.versionVector(tombstone.seen)
            writer.byte(UInt8(ascii: "}"))
        }
    }

    /// JSON already written, as it is.
    mutating func append(_ json: String) {
        bytes.append(contentsOf: json.utf8)
    }

    mutating func append(_ json: [UInt8]) {
        bytes.append(contentsOf: json)
    }

    /// `{"KEY":JSON,…}` from pieces already written.
    mutating func members(_ members: [(String, String)]) {
        byte(UInt8(ascii: "{"))
        for (index, (key, json)) in members.enumerated() {
            if index > 0 { byte(UInt8(ascii: ",")) }
            string(key)
            byte(UInt8(ascii: ":"))
            append(json)
        }
        byte(UInt8(ascii: "}"))
    }

    mutating func array<T>(_ elements: [T], _ write: (inout JSONWriter, T) -> Void) {
        byte(UInt8(ascii: "["))
        for (index, element) in elements.enumerated() {
            if index > 0 { byte(UInt8(ascii: ",")) }
            write(&self, element)
        }
        byte(UInt8(ascii: "]"))
    }

    mutating func fieldCandidate(_ candidate: FieldCandidate) {
        byte(UInt8(ascii: "{"))
        stamp(candidate.dot, candidate.time)
        key("v")
        string(candidate.value)
        resolution(candidate.resolution)
        byte(UInt8(ascii: "}"))
    }

    /// `"resolved": {...}` when the write settled a conflict (of a field or of a translation), else nothing.
    mutating func resolution(_ resolution: Resolution?) {
        guard let resolution else { return }
        key("resolved")
        byte(UInt8(ascii: "{"))
        key("by", first: true)
        string(resolution.by)
        key("at")
        number(resolution.at)
        key("superseded")
        array(resolution.superseded) { writer, value in writer.string(value) }
        byte(UInt8(ascii: "}"))
    }

    mutating func translationCandidate(_ candidate: TranslationCandidate) {
        byte(UInt8(ascii: "{"))
        stamp(candidate.dot, candidate.time)
        key("v")
        string(candidate.text)
        key("status")
        string(candidate.status.rawValue)
        key("source")
        string(candidate.source)
        resolution(candidate.resolution)
        byte(UInt8(ascii: "}"))
    }
}

// MARK: - Reading

struct JSONReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    /// The keys and array positions leading to the value being read, for errors.
    var path: [PathStep] = []
    /// The record being read, for its compact entries (`RecordForm.compact`): its context's replica ids sorted,
    /// once read; its time base; whether an entry was read yet.
    var contextReplicas: [ReplicaID]?
    var timeBase: UInt64 = 0
    var readEntries = false

    enum PathStep {
        case key(String)
        case index(Int)
    }

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    func fail(_ what: String) -> RecordJSONError {
        let location = path.reduce("") { text, step in
            switch step {
            case .key(let key): text.isEmpty ? key : text + "." + key
            case .index(let index): text + "[\(index)]"
            }
        }
        return RecordJSONError("\(location.isEmpty ? "body" : location): \(what) (byte \(index))")
    }

    mutating func whitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    mutating func peek() throws(RecordJSONError) -> UInt8 {
        whitespace()
        guard index < bytes.count else { throw fail("unexpected end of JSON") }
        return bytes[index]
    }

    mutating func expect(_ byte: UInt8) throws(RecordJSONError) {
        guard try peek() == byte else { throw fail("expected '\(Character(Unicode.Scalar(byte)))'") }
        index += 1
    }

    mutating func end() throws(RecordJSONError) {
        whitespace()
        guard index == bytes.count else { throw fail("trailing characters") }
    }

    /// Reads an object, calling `member` with the reader placed at each key's value.
    mutating func object(_ member: (inout JSONReader, String) throws(RecordJSONError) -> Void) throws(RecordJSONError) {
        try expect(UInt8(ascii: "{"))
        if try peek() == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            let key = try string()
            try expect(UInt8(ascii: ":"))
            path.append(.key(key))
            try member(&self, key)
            path.removeLast()
            switch try peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return
            default: throw fail("expected ',' or '}'")
            }
        }
    }

    mutating func array<T>(_ element: (inout JSONReader) throws(RecordJSONError) -> T) throws(RecordJSONError) -> [T] {
        try expect(UInt8(ascii: "["))
        var out: [T] = []
        if try peek() == UInt8(ascii: "]") {
            index += 1
            return out
        }
        while true {
            path.append(.index(out.count))
            out.append(try element(&self))
            path.removeLast()
            switch try peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return out
            default: throw fail("expected ',' or ']'")
            }
        }
    }

    mutating func string() throws(RecordJSONError) -> String {
        try expect(UInt8(ascii: "\""))
        let start = index
        // The common case, no escapes: one copy of the bytes.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw fail("control character in a string") }
            index += 1
        }
        var out = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { break }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        // A high surrogate: its low half must follow as another \u escape.
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                            bytes[index + 1] == UInt8(ascii: "u")
                        else { throw fail("unpaired surrogate") }
                        index += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired surrogate") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        throw fail("unpaired surrogate")
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw fail("invalid \\u escape") }
                    out.append(contentsOf: String(Character(unicode)).utf8)
                default: throw fail("invalid escape")
                }
            case 0..<0x20:
                throw fail("control character in a string")
            default:
                out.append(byte)
            }
        }
        throw fail("unterminated string")
    }

    mutating func hex4() throws(RecordJSONError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw fail("short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            index += 1
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw fail("invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    mutating func unsigned() throws(RecordJSONError) -> UInt64 {
        _ = try peek()
        let start = index
        var value: UInt64 = 0
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(UInt64(bytes[index] - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { throw fail("number out of range") }
            value = sum
            index += 1
        }
        guard index > start else { throw fail("expected a non-negative whole number") }
        if index < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) {
            throw fail("expected a whole number")
        }
        return value
    }

    mutating func bool() throws(RecordJSONError) -> Bool {
        if try literal("true") { return true }
        if try literal("false") { return false }
        throw fail("expected true or false")
    }

    mutating func literal(_ word: StaticString) throws(RecordJSONError) -> Bool {
        _ = try peek()
        let length = word.utf8CodeUnitCount
        guard index + length <= bytes.count else { return false }
        let matches = word.withUTF8Buffer { word in
            (0..<length).allSatisfy { bytes[index + $0] == word[$0] }
        }
        if matches { index += length }
        return matches
    }

    /// Skips a string without making it: its bytes up to the closing quote, an escape's next byte included.
    mutating func skipString() throws(RecordJSONError) {
        try expect(UInt8(ascii: "\""))
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index += 1
                return
            case UInt8(ascii: "\\"): index += 2
            case ..<0x20: throw fail("control character in a string")
            default: index += 1
            }
        }
        throw fail("unterminated string")
    }

    /// Skips a value of a record this process stored and reads back in part (`record(only:)`), scanning its
    /// bytes to the bracket that closes it: strings are stepped over, nothing else is checked. Input from the
    /// wire is skipped by `skip()`, which checks what it skips.
    mutating func skim() throws(RecordJSONError) {
        let first = try peek()
        guard first == UInt8(ascii: "{") || first == UInt8(ascii: "[") else { return try skip() }
        var depth = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                try skimString()
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 {
                    index += 1
                    return
                }
            default: break
            }
            index += 1
        }
        throw fail("unterminated value")
    }

    /// Steps over a string of a stored record (`skim()`), from its opening quote to past its closing one: the
    /// closing quote is the first one after an even run of backslashes, found with `memchr` rather than byte by
    /// byte (the texts of a record are most of its bytes). Nothing inside is checked.
    mutating func skimString() throws(RecordJSONError) {
        guard let base = bytes.baseAddress else { throw fail("unterminated string") }
        let start = index + 1
        var from = start
        while from < bytes.count {
            guard let found = memchr(base + from, Int32(UInt8(ascii: "\"")), bytes.count - from) else { break }
            let quote = UnsafeRawPointer(found).assumingMemoryBound(to: UInt8.self) - base
            var backslashes = 0
            while quote - backslashes - 1 >= start, base[quote - backslashes - 1] == UInt8(ascii: "\\") {
                backslashes += 1
            }
            if backslashes.isMultiple(of: 2) {
                index = quote + 1
                return
            }
            from = quote + 1
        }
        index = bytes.count
        throw fail("unterminated string")
    }

    /// Skips any JSON value.
    mutating func skip() throws(RecordJSONError) {
        switch try peek() {
        case UInt8(ascii: "{"): try object { reader, _ throws(RecordJSONError) in try reader.skip() }
        case UInt8(ascii: "["): _ = try array { reader throws(RecordJSONError) in try reader.skip() }
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"), UInt8(ascii: "f"): _ = try bool()
        case UInt8(ascii: "n"):
            guard try literal("null") else { throw fail("invalid literal") }
        default:
            let start = index
            while index < bytes.count, "+-.0123456789eE".utf8.contains(bytes[index]) { index += 1 }
            guard index > start else { throw fail("invalid value") }
        }
    }

    // MARK: Record shapes

    mutating func versionVector() throws(RecordJSONError) -> VersionVector {
        var counters: [ReplicaID: UInt64] = [:]
        try object { reader, key throws(RecordJSONError) in counters[ReplicaID(key)] = try reader.unsigned() }
        return VersionVector(counters)
    }

    /// An array of store names.
    mutating func storeNames() throws(RecordJSONError) -> Set<WriteTarget> {
        Set(
            try array { reader throws(RecordJSONError) in
                let name = try reader.string()
                guard let target = WriteTarget(storeName: name) else { throw reader.fail("no store '\(name)'") }
                return target
            })
    }

    mutating func record(only wanted: Set<WriteTarget>? = nil) throws(RecordJSONError) -> RecordState {
        var ignored: Set<WriteTarget>?
        return try record(stores: &ignored, only: wanted)
    }

    /// A record, and in `stores` the stores it carries when it is a delta (a `"stores"` key). With `wanted`, only
    /// those stores are read; the others are skipped over, unread.
    mutating func record(stores: inout Set<WriteTarget>?, only wanted: Set<WriteTarget>? = nil)
        throws(RecordJSONError) -> RecordState
    {
        var id: String?
        var collection: String?
        var context: VersionVector?
        var fields: [String: [FieldCandidate]] = [:]
        var translations: [String: [String: [TranslationCandidate]]] = [:]
        var tombstones: [Tombstone] = []
        let outer = (contextReplicas, timeBase, readEntries)
        defer { (contextReplicas, timeBase, readEntries) = outer }
        (contextReplicas, timeBase, readEntries) = (nil, 0, false)
        try object { reader, key throws(RecordJSONError) in
            switch key {
            case "id": id = try reader.string()
            case "collection": collection = try reader.string()
            case "context":
                let read = try reader.versionVector()
                context = read
                reader.contextReplicas = read.counters.keys.sorted()
            case "t0":
                guard !reader.readEntries else { throw reader.fail("'t0' must come before the record's entries") }
                reader.timeBase = try reader.unsigned()
            case "fields":
                try reader.object { reader, name throws(RecordJSONError) in
                    guard wanted?.contains(.field(name)) ?? true else { return try reader.skim() }
                    fields[name] = try reader.array { reader throws(RecordJSONError) in try reader.fieldCandidate() }
                }
            case "translations":
                try reader.object { reader, language throws(RecordJSONError) in
                    var byField: [String: [TranslationCandidate]] = [:]
                    try reader.object { reader, name throws(RecordJSONError) in
                        guard wanted?.contains(.translation(field: name, language: language)) ?? true else {
                            return try reader.skim()
                        }
                        byField[name] = try reader.array { reader throws(RecordJSONError) in
                            try reader.translationCandidate()
                        }
                    }
                    if wanted == nil || !byField.isEmpty { translations[language] = byField }
                }
            case "tombstones":
                guard wanted?.contains(.lifecycle) ?? true else { return try reader.skim() }
                tombstones = try reader.array { reader throws(RecordJSONError) in try reader.tombstone() }
            case "stores":
                stores = try reader.storeNames()
            default: try reader.skip()
            }
        }
        guard let id, let collection, let context else {
            throw fail("a record needs 'id', 'collection' and 'context'")
        }
        var state = RecordState(id: id, collection: collection)
        state.context = context
        state.fields = fields
        state.translations = translations
        state.tombstones = tombstones
        return state
    }

    /// The stamp keys of a dotted entry, and the others handed to `other`.
    mutating func entry(
        _ other: (inout JSONReader, String) throws(RecordJSONError) -> Void
    ) throws(RecordJSONError) -> (Dot, HybridTimestamp) {
        readEntries = true
        var replica: ReplicaID?
        var counter: UInt64?
        var offset: UInt64 = 0
        var logical: UInt64 = 0
        try object { reader, key throws(RecordJSONError) in
            switch key {
            case "r":
                if try reader.peek() == UInt8(ascii: "\"") {
                    replica = ReplicaID(try reader.string())
                } else {
                    replica = try reader.contextReplica(at: reader.unsigned())
                }
            case "n": counter = try reader.unsigned()
            case "t": offset = try reader.unsigned()
            case "l": logical = try reader.unsigned()
            default: try other(&reader, key)
            }
        }
        guard let counter else { throw fail("an entry needs 'n'") }
        guard counter > 0 else { throw fail("counter must be ≥ 1") }
        guard let logical32 = UInt32(exactly: logical) else { throw fail("logical counter out of range") }
        let (wall, overflow) = timeBase.addingReportingOverflow(offset)
        guard !overflow else { throw fail("time out of range") }
        let id: ReplicaID
        if let replica { id = replica } else { id = try contextReplica(at: 0) }
        return (Dot(id, counter), HybridTimestamp(wall: wall, logical: logical32, replica: id))
    }

    /// The replica at `index` in the record's context, for a compact entry's `"r"` (0 when left out).
    func contextReplica(at index: UInt64) throws(RecordJSONError) -> ReplicaID {
        guard let replicas = contextReplicas else {
            throw fail("an entry that names its replica by index ('r' a number or left out) needs 'context' first")
        }
        guard index < replicas.count else {
            throw fail("'r' \(index) is not an index into the record's context of \(replicas.count) replica(s)")
        }
        return replicas[Int(index)]
    }

    mutating func fieldCandidate() throws(RecordJSONError) -> FieldCandidate {
        var value: String?
        var resolution: Resolution?
        let (dot, time) = try entry { reader, key throws(RecordJSONError) in
            switch key {
            case "v": value = try reader.string()
            case "resolved": resolution = try reader.resolution()
            default: try reader.skip()
            }
        }
        guard let value else { throw fail("a field candidate needs 'v'") }
        return FieldCandidate(dot: dot, time: time, value: value, resolution: resolution)
    }

    /// A `"resolved"` value: null (none) or `{by, at, superseded}`.
    mutating func resolution() throws(RecordJSONError) -> Resolution? {
        if try literal("null") { return nil }
        var by: String?
        var at: UInt64?
        var superseded: [String]?
        try object { reader, key throws(RecordJSONError) in
            switch key {
            case "by": by = try reader.string()
            case "at": at = try reader.unsigned()
            case "superseded": superseded = try reader.array { reader throws(RecordJSONError) in try reader.string() }
            default: try reader.skip()
            }
        }
        guard let by, let at, let superseded else { throw fail("a resolution needs 'by', 'at' and 'superseded'") }
        return Resolution(by: by, at: at, superseded: superseded)
    }

    mutating func translationCandidate() throws(RecordJSONError) -> TranslationCandidate {
        var text: String?
        var status: TranslationStatus?
        var source: String?
        var resolution: Resolution?
        let (dot, time) = try entry { reader, key throws(RecordJSONError) in
            switch key {
            case "v": text = try reader.string()
            case "status":
                let raw = try reader.string()
                guard let parsed = TranslationStatus(rawValue: raw) else {
                    throw reader.fail("unknown status '\(raw)'")
                }
                status = parsed
            case "source": source = try reader.string()
            case "resolved": resolution = try reader.resolution()
            default: try reader.skip()
            }
        }
        guard let text, let status, let source else { throw fail("a translation needs 'v', 'status' and 'source'") }
        return TranslationCandidate(
            dot: dot, time: time, text: text, status: status, source: source, resolution: resolution)
    }

    mutating func tombstone() throws(RecordJSONError) -> Tombstone {
        var seen: VersionVector?
        let (dot, time) = try entry { reader, key throws(RecordJSONError) in
            if key == "seen" { seen = try reader.versionVector() } else { try reader.skip() }
        }
        guard let seen else { throw fail("a tombstone needs 'seen'") }
        return Tombstone(dot: dot, time: time, seen: seen)
    }
}
