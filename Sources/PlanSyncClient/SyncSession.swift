import PlanSyncCore
import PlanSyncReplica

/// What a sync did.
public struct SyncReport: Codable, Sendable {
    /// Records pushed, and how many of them changed the server's copy.
    public var pushed = 0
    public var pushedChanged = 0
    /// Records pulled, and how many of them changed this replica.
    public var pulled = 0
    public var applied = 0
    /// HTTP requests made.
    public var roundTrips = 0
    /// The server sequence this replica is now caught up to.
    public var cursor: UInt64 = 0
    /// Fields of this replica in conflict after the sync.
    public var conflicts = 0
    /// Edits of approved reports the server held for the central team.
    public var held = 0
    /// Records dropped because they left this replica's scope.
    public var dropped = 0
}

/// Where a long sync stands, for a progress line.
public struct SyncProgress: Sendable {
    public enum Phase: String, Sendable { case push, pull }
    public var phase: Phase
    public var done: Int
    public var total: Int
}

/// One sync of a replica: push every queued local write in batches, then pull until caught up.
///
/// Every step is safe to interrupt: a push batch leaves the outbox only after the server acknowledged it (a
/// replayed batch changes nothing there), and each pulled page commits with its cursor. Running the sync
/// again continues where it stopped.
public struct SyncSession: Sendable {
    public let replica: Replica
    public let transport: any SyncTransport
    public var pushBatch = 500
    public var pullPage = 1_000

    public init(replica: Replica, transport: any SyncTransport) {
        self.replica = replica
        self.transport = transport
    }

    public func run(progress: @Sendable (SyncProgress) -> Void = { _ in }) async throws -> SyncReport {
        var report = SyncReport()
        let identity = try await replica.identity()

        let queued = try await replica.pendingCount()
        var lastRevision: Int64 = 0
        while true {
            let batch = try await replica.pending(limit: pushBatch, after: lastRevision)
            guard let last = batch.last else { break }
            let response = try await transport.push(
                PushRequest(replica: identity.replica, records: batch.map(\.state)))
            report.roundTrips += 1
            // Before the acknowledgement, so a crash in between replays the push (which holds or evicts again).
            try await replica.drop(response.evicted, reason: "the server refused it: it left this replica's scope")
            try await replica.forget(response.held)
            report.held += response.held.count
            report.dropped += response.evicted.count
            try await replica.acknowledge(batch)
            lastRevision = last.revision
            report.pushed += batch.count
            report.pushedChanged += response.changed
            progress(SyncProgress(phase: .push, done: report.pushed, total: queued))
        }

        var cursor = try await replica.cursor()
        let start = cursor
        // One page ahead: while a page is joined and stored here, the server reads and compresses the next.
        // Pages still commit one at a time, in order, each with its cursor.
        let transport = self.transport
        let limit = pullPage
        func fetch(after cursor: UInt64) -> Task<PullResponse, any Error> {
            Task { try await transport.pull(since: cursor, limit: limit, replica: identity.replica) }
        }
        var next = fetch(after: cursor)
        defer { next.cancel() }
        while true {
            let page = try await next.value
            report.roundTrips += 1
            // A page may hold no records (the replica's own pushes are skipped) yet move the cursor.
            let last = !page.more || page.cursor <= cursor
            if !last { next = fetch(after: page.cursor) }
            report.applied += try await replica.apply(page)
            report.pulled += page.records.count
            report.dropped += page.evicted.count
            cursor = page.cursor
            progress(
                SyncProgress(
                    phase: .pull, done: Int(clamping: cursor - min(start, cursor)),
                    total: Int(clamping: page.latest - min(start, page.latest))))
            if last { break }
        }
        report.cursor = cursor
        report.conflicts = try await replica.conflictCount()
        return report
    }
}
