import PlanSyncCore
import Synchronization

/// One page of changes, as every store puts it together from its rows: the records' JSON, the evicted ids, how
/// many changes it counts (records skipped as the puller's own included), the sequence it reaches, and whether
/// more follow.
struct FeedPage {
    /// Each record's JSON, as UTF-8.
    var records: [[UInt8]] = []
    var evicted: [String] = []
    var count = 0
    var cursor: Int64 = 0
    var more = false

    /// The `record_store` row of a change a delta cannot carry: the record new, moved to another office, sent
    /// back whole, or changed in no store.
    static let wholeStore = "*"

    /// The feed of records for a version-1 puller: each changed record once, at its latest change, whole and in
    /// the verbose form (stored compact). `rows` are the records changed after `since` in sequence order (at most
    /// `limit + 1`), with a nil state for one the puller pushed itself, as stored: counted but not sent. The
    /// office's evictions are merged by sequence.
    static func records(
        _ rows: [(seq: Int64, state: [UInt8]?)], evictions: [FeedEviction], since: Int64, limit: Int
    ) throws -> FeedPage {
        let changes =
            (rows.map { (seq: $0.seq, state: $0.state, evicted: nil as String?) }
            + evictions.map { (seq: $0.seq, state: nil, evicted: $0.id) })
            .sorted { $0.seq < $1.seq }
        var page = FeedPage()
        page.more = changes.count > limit
        let taken = changes.prefix(limit)
        page.records = try taken.compactMap(\.state).map { try RecordJSON.verbose($0) }
        page.evicted = taken.compactMap(\.evicted)
        page.count = taken.count
        page.cursor = taken.last?.seq ?? since
        return page
    }

    /// The members of a pull's answer around the page, with `latest` the latest change in the puller's scope.
    func body(since: UInt64, latest: UInt64, extra: String) throws -> PullPage {
        let cursor = UInt64(max(self.cursor, Int64(clamping: since)))
        let json = RecordJSON.pullPage(
            records: records, evicted: evicted, cursor: cursor, more: more, latest: max(latest, cursor), extra: extra)
        return PullPage(json: json, count: count, cursor: cursor, more: more)
    }
}

/// A record that left an office's scope at `seq`.
typealias FeedEviction = (seq: Int64, id: String)

/// The feed of stores for a version-2 puller (docs/PROTOCOL.md, "Deltas"), read from the rows of
/// `record_store` after `since` in sequence order: up to `limit` records, each sent once in the page — whole
/// when its `*` row is after `since` (new to the puller), else as a delta of every store changed after `since`.
/// Being a feed of stores, a store changed before another change of its record keeps its place: a puller that
/// read the pages before it gets it there. A store feeds it rows until `take` says the page is full.
struct StoreFeedReader {
    private(set) var page = FeedPage()
    /// The records of the page, in order.
    private(set) var taken: [String] = []
    /// Records whose `*` row is in the page: new to the puller, sent whole without asking which stores changed.
    private(set) var wholeIDs = Set<String>()
    private var seen = Set<String>()
    private var pendingEvictions: ArraySlice<FeedEviction>
    private let limit: Int

    init(since: Int64, limit: Int, evictions: [FeedEviction]) {
        page.cursor = since
        self.limit = limit
        pendingEvictions = evictions[...]
    }

    /// Takes one row; false when the page is full (stop reading).
    mutating func take(seq: Int64, id: String, store: String) -> Bool {
        if store == FeedPage.wholeStore { wholeIDs.insert(id) }
        guard takeEvictions(before: seq) else {
            page.more = true
            return false
        }
        if !seen.contains(id) {
            guard page.count < limit else {
                page.more = true
                return false
            }
            seen.insert(id)
            taken.append(id)
            page.count += 1
        }
        page.cursor = seq
        return true
    }

    /// After the last row: the evictions after it.
    mutating func finish() {
        if !page.more, !takeEvictions(before: nil) { page.more = true }
    }

    private mutating func takeEvictions(before seq: Int64?) -> Bool {
        while let eviction = pendingEvictions.first, seq.map({ eviction.seq < $0 }) ?? true {
            guard page.count < limit else { return false }
            page.evicted.append(eviction.id)
            page.count += 1
            page.cursor = eviction.seq
            pendingEvictions.removeFirst()
        }
        return true
    }

    /// What the page carries of one taken record, from what the store holds of it: nothing when its stored
    /// state is the puller's own (`own`), else a delta of its `stores` changed after `since` when it is not new
    /// to the puller and the pieces make one, else `whole()`, its stored state.
    func entry(
        id: String, collection: String, context: String?, own: Bool, stores: () throws -> [(String, String?)],
        whole: () throws -> [UInt8]
    ) throws -> [UInt8]? {
        guard !own else { return nil }
        if wholeIDs.contains(id) { return try whole() }
        let stores = try stores()
        if let context, !stores.contains(where: { $0.0 == FeedPage.wholeStore }) {
            let pieces = stores.compactMap { name, json in
                WriteTarget(storeName: name).flatMap { target in json.map { (target: target, json: $0) } }
            }
            if pieces.count == stores.count {
                return try DeltaMemo.shared.delta(id: id, collection: collection, context: context, stores: pieces)
            }
        }
        return try whole()
    }
}

/// `RecordJSON.delta` remembered for the deltas put together lately. Offices pull the same records between two
/// edits of each, so one record's delta of the same stores is asked for again and again, and putting it together
/// decodes its pieces and writes them again. The key is everything the delta is made of — the record's id,
/// collection and context, and each store's name and stored JSON, as read — so a delta remembered is the one
/// the pieces make, whatever was written since: no change needs to forget anything, and a miss only costs the
/// work it saves. Keys are hashed before any lock is taken, and spread over shards so that pulls on every core
/// rarely wait for each other. Each shard keeps two generations, each of at most its share of `capacity` deltas
/// and of `bytes` (keys and deltas counted): a delta asked for in the older is moved to the newer; when the
/// newer is full it becomes the older, and the older is dropped. A delta too large for a generation is not kept.
final class DeltaMemo: Sendable {
    struct Key: Hashable {
        let parts: [String]
        let hash: Int
        /// The bytes its texts hold.
        let size: Int

        init(id: String, collection: String, context: String, stores: [(target: WriteTarget, json: String)]) {
            parts = [id, collection, context] + stores.flatMap { [$0.target.storeName, $0.json] }
            hash = parts.hashValue
            size = parts.reduce(0) { $0 + $1.utf8.count }
        }

        func hash(into hasher: inout Hasher) { hasher.combine(hash) }
        static func == (lhs: Key, rhs: Key) -> Bool { lhs.hash == rhs.hash && lhs.parts == rhs.parts }
    }

    /// What one generation of one shard may hold.
    private struct Limit {
        var entries: Int
        var bytes: Int
    }

    private struct Generations {
        var newer: [Key: [UInt8]] = [:]
        var newerBytes = 0
        var older: [Key: [UInt8]] = [:]
        var olderBytes = 0

        mutating func add(_ delta: [UInt8], for key: Key, within limit: Limit) {
            let size = key.size + delta.count
            guard size <= limit.bytes else { return }
            if newer.count >= limit.entries || newerBytes + size > limit.bytes {
                (older, olderBytes) = (newer, newerBytes)
                (newer, newerBytes) = ([:], 0)
            }
            newer[key] = delta
            newerBytes += size
        }

        mutating func find(_ key: Key, within limit: Limit) -> [UInt8]? {
            if let delta = newer[key] { return delta }
            guard let delta = older.removeValue(forKey: key) else { return nil }
            olderBytes -= key.size + delta.count
            add(delta, for: key, within: limit)
            return delta
        }
    }

    private final class Shard: Sendable {
        let generations = Mutex(Generations())
    }

    static let shared = DeltaMemo(capacity: 4_096, bytes: 16 << 20)

    private let limit: Limit
    private let shards: [Shard]

    /// At most `capacity` deltas and `bytes` in each generation, spread over the shards.
    init(capacity: Int, bytes: Int, shards: Int = 16) {
        limit = Limit(entries: max(1, capacity / shards), bytes: max(1, bytes / shards))
        self.shards = (0..<shards).map { _ in Shard() }
    }

    func delta(id: String, collection: String, context: String, stores: [(target: WriteTarget, json: String)])
        throws(RecordJSONError) -> [UInt8]
    {
        let key = Key(id: id, collection: collection, context: context, stores: stores)
        let shard = shards[Int(UInt(bitPattern: key.hash) % UInt(shards.count))]
        if let known = shard.generations.withLock({ $0.find(key, within: limit) }) { return known }
        let delta = try RecordJSON.delta(id: id, collection: collection, context: context, stores: stores)
        shard.generations.withLock { $0.add(delta, for: key, within: limit) }
        return delta
    }

    /// How many deltas are remembered, and the bytes they and their keys hold (both generations of every shard).
    var held: (count: Int, bytes: Int) {
        shards.reduce((0, 0)) { sum, shard in
            shard.generations.withLock {
                ($0.newer.count + $0.older.count + sum.0, $0.newerBytes + $0.olderBytes + sum.1)
            }
        }
    }
}
