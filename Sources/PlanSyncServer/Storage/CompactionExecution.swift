import Foundation
import PlanSyncCore

/// What every store does in one compaction, in order: read the replicas' progress, the latest sequence and how far
/// earlier compactions read, take the settled sequence from the core's rule, and for each deleted record with
/// contents after the one and up to the other (in sequence order) write what the rule returns. A store reads and
/// writes; it decides nothing.
struct CompactionExecution {
    let compaction: Compaction
    let schema: Schema
    let settled: UInt64
    /// The sequence earlier compactions read up to (kept in `meta` under `scannedKey`). Every record at or before
    /// it either lost its contents then or had none to lose, and a record that changes takes a new sequence: only
    /// records after it are read.
    let scanned: UInt64
    private(set) var summary = CompactionSummary()
    /// The highest sequence of a record compacted: away replicas that had not pulled up to it are told.
    private(set) var reached: UInt64 = 0
    private let away: [Compaction.Progress]

    /// `scanned` is the value kept in `meta`, nil before the first compaction.
    init(
        _ compaction: Compaction, schema: Schema, replicas: [Compaction.Progress], latest: UInt64, scanned: String?
    ) {
        self.compaction = compaction
        self.schema = schema
        settled = compaction.settled(replicas, latest: latest)
        self.scanned = scanned.flatMap { UInt64($0) } ?? 0
        away = compaction.away(replicas)
        summary.settled = settled
        summary.away = away.count
    }

    /// The replicas to tell at their next pull, with when each last synced: away past the horizon, and behind
    /// a record this compaction removed the contents of.
    var toTell: [Compaction.Progress] {
        away.filter { $0.pulled < reached }
    }

    /// A record's rows may hold a tombstone only if its JSON names one: stores read only those.
    static let candidatePattern = "%\"tombstones\"%"

    /// The `meta` key of `scanned`.
    static let scannedKey = "compaction_scanned"

    /// What to keep as `scanned` once this compaction commits, or nil when it stays (the settled sequence can go
    /// back, when a replica is bound: what was read before is not read again).
    var scannedNext: UInt64? { settled > scanned ? settled : nil }

    /// The compacted state of one stored record, counted in the summary, or nil when it stays as it is.
    /// `pieces` is the bytes of its rows in the feed of stores other than `*`, which go with the contents.
    mutating func step(json: [UInt8], seq: UInt64, pieces: Int) throws -> (
        previous: RecordState, compacted: RecordState
    )? {
        let record = try RecordJSON.decode(json)
        guard let compacted = compaction.compacted(record, seq: seq, settled: settled, schema: schema) else {
            return nil
        }
        summary.add(
            record, compacted: compacted,
            storedBytes: json.count - RecordJSON.encode(compacted).count + pieces)
        reached = max(reached, seq)
        return (record, compacted)
    }

    /// When a replica bound at `registered` (ISO 8601) that never noted a sync counts as last seen.
    static func lastSync(noted: Int64?, registered: String) -> UInt64 {
        let date = (try? Date(registered, strategy: .iso8601)) ?? Date()
        return lastSync(noted: noted, registeredMillis: Int64(date.timeIntervalSince1970 * 1000))
    }

    /// The same, with when it was bound in milliseconds since 1970.
    static func lastSync(noted: Int64?, registeredMillis: Int64) -> UInt64 {
        UInt64(max(noted ?? registeredMillis, 0))
    }
}
