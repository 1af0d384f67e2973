import Dispatch
import Foundation
import GRDB
import PlanSyncCore

extension Replica {
    /// The canonical dump of every record (`plansync dump --json`).
    public func dump() async throws -> String {
        var text: [UInt8] = []
        for chunk in try await dumpChunks() { text += chunk }
        return String(decoding: text, as: UTF8.self)
    }

    /// The canonical dump of every record, handed to `write` in chunks of about 64 KiB as it is made, so
    /// that memory stays flat however many records the replica holds.
    public func dump(_ write: @escaping @Sendable ([UInt8]) throws -> Void) async throws {
        let schema = self.schema
        var writer = try await scan(
            into: CanonicalDump.Writer(),
            transform: { CanonicalDump.Writer.fragment(CanonicalDump.Record($0, schema: schema)) },
            fold: { writer, fragment in
                writer.append(fragment: fragment)
                if writer.pending >= 1 << 16 { try write(writer.take()) }
            })
        try write(writer.finish())
    }

    private func dumpChunks() async throws -> [[UInt8]] {
        let chunks = Locked<[[UInt8]]>([])
        try await dump { chunk in chunks.withLock { $0.append(chunk) } }
        return chunks.withLock { $0 }
    }

    /// Reads every record — only `prefix`'s (the id itself and ids under `prefix/`) when given — in id order
    /// as `String` compares (the order of `CanonicalDump` and `TranslationUnit.all`), turns each into a part
    /// with `transform`, and folds the parts into `result` in that order. For commands that print every
    /// record: records are read a batch at a time, so memory does not grow with the replica, and each batch
    /// is decoded and transformed on every core, since decoding the stored JSON is most of their work. The
    /// next batch is read, and the one before folded, while a batch is transformed: three stages, one batch
    /// each in flight.
    public func scan<Part: Sendable, Result: Sendable>(
        prefix: String? = nil, into result: Result, transform: @escaping @Sendable (RecordState) throws -> Part,
        fold: @escaping @Sendable (inout Result, Part) throws -> Void
    ) async throws -> Result {
        try await pool.read { db in
            var result = result
            var transforming: BatchTransform<Part>?
            // Whatever happens, no transform outlives the read.
            defer { _ = try? transforming?.parts() }
            try Self.forEachBatch(prefix: prefix, in: db) { batch in
                let previous = try transforming?.parts()
                transforming = BatchTransform(batch) { json in
                    try transform(try RecordJSON.decode(json))
                }
                for part in previous ?? [] {
                    try fold(&result, part)
                }
            }
            for part in try transforming?.parts() ?? [] {
                try fold(&result, part)
            }
            transforming = nil
            return result
        }
    }

    /// One batch transformed by `concurrentMap` on other threads, begun when made; `parts()` waits for it.
    struct BatchTransform<Part: Sendable> {
        private let done = DispatchGroup()
        private let outcome = Locked<Swift.Result<[Part], any Error>?>(nil)

        init(_ batch: [Data], _ transform: @escaping @Sendable (Data) throws -> Part) {
            let outcome = self.outcome
            DispatchQueue.global().async(group: done) {
                let parts = Swift.Result { try Replica.concurrentMap(batch, transform) }
                outcome.withLock { $0 = parts }
            }
        }

        /// The batch's parts, in its order, once every one is made; or the first error met.
        func parts() throws -> [Part] {
            done.wait()
            return try outcome.withLock { $0! }.get()
        }
    }

    /// The stored JSON of every record (only `prefix`'s when given), in id order, a few thousand at a time.
    /// As bytes: the decoder reads UTF-8 itself, so making each a `String` first would only check it twice.
    static func forEachBatch(prefix: String?, in db: Database, _ body: ([Data]) throws -> Void) throws {
        let batchSize = 2_048
        let (filter, arguments) = idFilter(prefix)
        // Ids are ASCII (`RecordID.validate`), so SQLite's byte order is String's order; a file holding any
        // other id is read in String's order, one lookup per record.
        let ids = try String.fetchAll(db, sql: "SELECT id FROM record \(filter) ORDER BY id", arguments: arguments)
        var batch: [Data] = []
        batch.reserveCapacity(batchSize)
        func add(_ json: Data) throws {
            batch.append(json)
            if batch.count == batchSize {
                try body(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if zip(ids, ids.dropFirst()).allSatisfy({ $0 < $1 }) {
            let rows = try Data.fetchCursor(
                db, sql: "SELECT state FROM record \(filter) ORDER BY id", arguments: arguments)
            while let json = try rows.next() { try add(json) }
        } else {
            let statement = try db.cachedStatement(sql: "SELECT state FROM record WHERE id = ?")
            for id in ids.sorted() {
                if let json = try Data.fetchOne(statement, arguments: [id]) { try add(json) }
            }
        }
        if !batch.isEmpty { try body(batch) }
    }

    /// `inputs.map(transform)`, its work shared among the machine's cores: each takes a contiguous share.
    static func concurrentMap<Input: Sendable, Output: Sendable>(
        _ inputs: [Input], _ transform: @Sendable (Input) throws -> Output
    ) throws -> [Output] {
        let workers = min(ProcessInfo.processInfo.activeProcessorCount, inputs.count / 64)
        guard workers > 1 else { return try inputs.map(transform) }
        let outputs = Locked([Swift.Result<Output, any Error>?](repeating: nil, count: inputs.count))
        let share = (inputs.count + workers - 1) / workers
        // A blocking fork and join inside the read transaction, which is synchronous: the workers finish
        // before it returns, and each writes its own share of the outputs.
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let range = (worker * share)..<min(inputs.count, (worker + 1) * share)
            let results = range.map { index in Swift.Result { try transform(inputs[index]) } }
            outputs.withLock { outputs in
                for (index, result) in zip(range, results) { outputs[index] = result }
            }
        }
        return try outputs.withLock { $0 }.map { try $0!.get() }
    }
}

/// A value shared between threads, behind a lock.
final class Locked<Value: Sendable>: @unchecked Sendable {
    // `lock` guards every access to `value`.
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
