/// How big a benchmark run is: `small` for a quick check (and the smoke test), `full` for the figures in
/// `docs/PERFORMANCE.md`.
public enum BenchmarkScale: String, CaseIterable, Codable, Sendable {
    case small, full

    /// The size of every scenario at this scale.
    public var sizes: BenchmarkSizes {
        switch self {
        case .small:
            BenchmarkSizes(
                initialRecords: 500, offlineEdits: 500, replicas: 10, editsPerReplica: 20, roundsPerReplica: 4,
                sharedRecords: 100, noOpRepetitions: 5, mergeDocuments: 300, mergeRepetitions: 2,
                bulkRecords: 1_000, csvRows: 500)
        case .full:
            BenchmarkSizes(
                initialRecords: 100_000, offlineEdits: 10_000, replicas: 100, editsPerReplica: 100,
                roundsPerReplica: 5, sharedRecords: 300, noOpRepetitions: 7, mergeDocuments: 5_000,
                mergeRepetitions: 3, bulkRecords: 50_000, csvRows: 50_000)
        }
    }
}

/// The numbers that size the scenarios.
public struct BenchmarkSizes: Codable, Sendable {
    /// Generated records the server holds before a new replica's first sync.
    public var initialRecords: Int
    /// Edits made offline on one replica before one sync (one edit per record).
    public var offlineEdits: Int
    /// Replicas syncing concurrently against one server.
    public var replicas: Int
    /// Edits each of those replicas makes, spread over `roundsPerReplica` syncs.
    public var editsPerReplica: Int
    public var roundsPerReplica: Int
    /// Generated records the concurrent replicas share and edit.
    public var sharedRecords: Int
    /// Timed no-op syncs (after two warm-up syncs), of which the median is reported.
    public var noOpRepetitions: Int
    /// Documents in the merge workload, and how many times it is repeated (the best run is reported).
    public var mergeDocuments: Int
    public var mergeRepetitions: Int
    /// Generated records in the replica the bulk local commands (`list`, `dump --json`, …) read.
    public var bulkRecords: Int
    /// Rows of the plan spreadsheet imported, pushed and pulled.
    public var csvRows: Int
}
