import PlanSyncCore
import PlanSyncReplica

/// What a sync did.
public struct SyncReport: Codable, Sendable {
    public init() {}

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
    /// How far this device's clock is ahead of the server's (negative: behind), in milliseconds, when the
    /// server said its time.
    public var clockSkew: Int64?
    /// Whether the server refused the queued edits because this device's clock is ahead: they stay queued.
    public var clockRefused = false
    /// Records queued again because the server's history went back (restored from a backup).
    public var recovered: Int?
    /// Records the server could believe only in part (they hold writes of other replicas it lost): still queued.
    public var waiting = 0
    /// When this replica last synced before, when the server said it had been away past its retention horizon.
    public var awaySince: UInt64?
    /// Requests sent again because the connection dropped mid-transfer.
    public var retries = 0
    /// The records the pull changed here and what changed in each, when the session was asked to note them.
    public var changes: PulledChanges?
    /// Signed pushes of other replicas, carried here in bundles, that the server took.
    public var relayed = 0
    /// Why the server refused carried pushes, one line each: they are kept and not sent again.
    public var relayRefused: [String] = []

    /// A one-line warning when the device's clock is off by more than the drift bound, or nil.
    public var clockWarning: String? {
        guard let skew = clockSkew, skew.magnitude > CausalBounds.maxDrift else { return nil }
        let direction = skew > 0 ? "ahead of" : "behind"
        var line = "this device's clock is \(Self.duration(skew.magnitude)) \(direction) the server's; set it right"
        if clockRefused { line += ": queued edits wait until then (nothing is lost)" }
        return line
    }

    /// A one-line notice when the server said this replica had been away past its retention horizon, or nil.
    public var awayWarning: String? {
        guard let since = awaySince else { return nil }
        return "this replica last synced on \(ReadableDate.text(milliseconds: since)), longer ago than the server "
            + "keeps deleted records' contents: records deleted since then came without them, and this replica's "
            + "own edits were pushed first and kept"
    }

    static func duration(_ milliseconds: UInt64) -> String {
        let minutes = milliseconds / 60_000
        switch minutes {
        case ..<120: return "\(minutes) minutes"
        case ..<(48 * 60): return "\(minutes / 60) hours"
        case ..<(730 * 24 * 60): return "\(minutes / (24 * 60)) days"
        default: return "\(minutes / (365 * 24 * 60)) years"
        }
    }
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
/// again continues where it stopped. Batches and pages start small and are sized from the requests of this
/// sync to take about `requestTarget` each on the link at hand (`AdaptiveSize`); a dropped request is sent
/// again smaller.
public struct SyncSession: Sendable {
    public let replica: Replica
    public let transport: any SyncTransport
    /// The most records in one push batch (the server takes 2,000).
    public var pushBatch = 2_000
    /// The most records in one pull page (the server sends up to 5,000). Memory sets it lower: a page and the one
    /// fetched ahead are held at once, and pages of 5,000 took a 100,000-record initial sync from 123 MiB to
    /// 329 MiB of peak memory.
    public var pullPage = 1_000
    /// How long one request should take: batches and pages are sized to it.
    public var requestTarget: Duration = .seconds(10)
    /// Requests whose connection drops mid-transfer are tried again this many times before the sync gives up.
    public var retry = RetryPolicy()
    /// How many changed records to list in `SyncReport.changes` (0: none, and no list is kept).
    public var changeLimit = 0

    public init(replica: Replica, transport: any SyncTransport) {
        self.replica = replica
        self.transport = transport
    }

    public func run(progress: @Sendable (SyncProgress) -> Void = { _ in }) async throws -> SyncReport {
        var report = SyncReport()
        if changeLimit > 0 { report.changes = PulledChanges(limit: changeLimit) }
        let identity = try await replica.identity()
        // Carried pushes may hold this replica's own writes, not yet on the server (a bundle that went out and
        // came back through a peer): its own writes go first, believed in part, then the carried pushes, then
        // the rest of its own below.
        if try await replica.carriedSections().contains(where: { $0.refused == nil }) {
            _ = try await push(as: identity, into: &report, believing: true, progress: progress)
        }
        try await relayCarried(as: identity, into: &report)
        var recovered = false
        while true {
            do {
                let caughtUp = try await push(as: identity, into: &report, progress: progress)
                if !caughtUp { try await pull(as: identity, into: &report, progress: progress) }
                break
            } catch let error as SyncError where error.body?.error == "history_changed" && !recovered {
                // The server went back (a restore): pull again from where its history still reaches, and push
                // every write of this replica's own again. Once per sync; the replica keeps the state.
                guard let resume = error.body?.resume, let epoch = error.body?.epoch else { throw error }
                report.recovered = try await replica.beginRecovery(resume: resume, epoch: epoch)
                recovered = true
            }
        }
        report.cursor = try await replica.cursor()
        report.conflicts = try await replica.conflictCount()
        return report
    }

    /// Registers this replica's signing key on its first sync, then relays the pushes it carries for other
    /// replicas (from bundles), oldest first, before its own: the server then knows their writes when this
    /// replica's records, which may hold them, arrive. A server that predates bundles is left alone.
    private func relayCarried(as identity: ReplicaIdentity, into report: inout SyncReport) async throws {
        if try await !replica.isKeyRegistered() {
            let key = try await replica.signingKey().publicKey
            do {
                try await transport.register(KeyRegistration(replica: identity.replica, key: key))
                try await replica.noteKeyRegistered()
                report.roundTrips += 1
            } catch let error as SyncError
                where error.kind == .refused(status: 404) || error.kind == .refused(status: 405)
            {
                report.roundTrips += 1
            }
        }
        for carried in try await replica.carriedSections() where carried.refused == nil {
            let section = carried.section.signed
            do {
                let response = try await transport.relay(section, history: try await replica.history())
                report.roundTrips += 1
                if let position = response.history { try await replica.acknowledge([], history: position) }
                try await replica.relayed(section)
                report.relayed += 1
            } catch let error as SyncError
                where error.body?.error == "history_changed" || error.kind == .refused(status: 404)
                || error.kind == .refused(status: 405)
            {
                // The server went back: its own push path recovers first, and the carried pushes go next time.
                // Or it predates bundles: they wait, carried, for one that takes them.
                report.roundTrips += 1
                break
            } catch let error as SyncError where error.committedNothing && error.kind != .unreachable {
                report.roundTrips += 1
                let reason = error.body?.detail ?? error.message
                try await replica.refusedRelay(section, reason: reason)
                report.relayRefused.append("the carried push of replica \(section.signer) was refused: \(reason)")
            }
        }
    }

    /// Pushes every queued record in batches. A server that refuses the batch because this device's clock is
    /// ahead leaves it queued: re-stamped and sent again at once if the clock is right by now, else kept. The
    /// last batch asks for the first pull page with it (version 2); returns whether that page caught the
    /// replica up, so the sync needs no pull of its own.
    ///
    /// A batch whose connection drops is sent again as its first half (after the retry policy's delay): the
    /// server committed all of it or none, so the replay is harmless, and a link that drops every few seconds
    /// still carries a batch that fits between drops. The rest stays queued here, marked sent, for the next.
    ///
    /// `believing` pushes as a recovering replica does: the server keeps of each record what it can believe
    /// (this replica's own writes, and what it holds of others), and records holding writes of others it lacks
    /// stay queued.
    private func push(
        as identity: ReplicaIdentity, into report: inout SyncReport, believing: Bool = false,
        progress: (SyncProgress) -> Void
    ) async throws -> Bool {
        var caughtUp = false
        let recovering = believing ? true : try await replica.isRecovering()
        let queued = try await replica.pendingCount()
        // Queued records are read as their deltas when the push sends deltas.
        let deltas = try await recovering ? false : replica.serverProtocol() >= 2
        var size = AdaptiveSize.push(ceiling: pushBatch, target: requestTarget)
        // Records read from the outbox and not yet acknowledged, oldest first; the next batch is a prefix.
        var ahead: [PendingRecord] = []
        var readThrough: Int64 = 0
        // The outbox read to its end: the last read found fewer records than it asked for.
        var exhausted = false
        // The read of the next records, running while a batch is on the wire: the replica reads its queue (and
        // finds each record's delta) while the server joins the batch before, instead of after it answers.
        var reading: (task: Task<[PendingRecord], any Error>, asked: Int)?
        defer { reading?.task.cancel() }
        // Records a push that got no answer carried: the server may hold them, so they stay marked sent.
        var mayBeHeld: Set<String> = []
        var drops = 0
        var restamped = false
        var waiting = 0
        /// Adds what a read found to `ahead`.
        func took(_ more: [PendingRecord], asked: Int) {
            ahead += more
            readThrough = more.last?.revision ?? readThrough
            exhausted = more.count < asked
        }
        while true {
            if let started = reading {
                reading = nil
                took(try await started.task.value, asked: started.asked)
            }
            // Once more when all read is pushed: edits made during the sync go with it.
            if ahead.count < size.next, !exhausted || ahead.isEmpty {
                let asked = size.next - ahead.count
                took(try await replica.pending(limit: asked, after: readThrough, deltas: deltas), asked: asked)
            }
            guard !ahead.isEmpty else { break }
            let batch = Array(ahead.prefix(size.next))
            // The last batch (the outbox read to its end) brings the first pull page back with its answer.
            let last = batch.count == ahead.count && exhausted
            // Enough for a batch of the size this one is, beside what this batch leaves.
            let wanted = size.next - (ahead.count - batch.count)
            if !exhausted, wanted > 0 {
                let (replica, after) = (replica, readThrough)
                reading = (Task { try await replica.pending(limit: wanted, after: after, deltas: deltas) }, wanted)
            }
            let response: PushResponse
            // From here the server may hold these writes, so they cannot be discarded until it answers.
            try await replica.markSent(batch)
            do {
                response = try await send(batch, as: identity, recovering: recovering, withPage: last, size: &size)
            } catch let error as SyncError where error.dropped && drops < retry.delays.count {
                try await Task.sleep(for: retry.delays[drops])
                drops += 1
                report.retries += 1
                size.failed(records: batch.count)
                mayBeHeld.formUnion(batch.map(\.state.id))
                continue
            } catch let error as SyncError where error.committedNothing {
                // Refused whole, or never received: the server holds none of these writes (unless an earlier
                // push of them got no answer).
                try await replica.markUnsent(batch.filter { !mayBeHeld.contains($0.state.id) })
                guard error.body?.error == "clock_ahead" else { throw error }
                guard let serverTime = error.body?.serverTime else { throw error }
                let now = Replica.wallClock()
                report.clockSkew = Int64(clamping: now) - Int64(clamping: serverTime)
                if !restamped, report.clockSkew!.magnitude <= CausalBounds.maxDrift {
                    try await replica.restamp(serverTime: serverTime, now: now)
                    restamped = true
                    reading?.task.cancel()
                    reading = nil
                    (ahead, readThrough, exhausted) = ([], 0, false)
                    continue
                }
                report.clockRefused = true
                return false
            }
            drops = 0
            report.roundTrips += 1
            // Before the acknowledgement, so a crash in between replays the push (which holds or evicts again).
            try await replica.drop(response.evicted, reason: "the server refused it: it left this replica's scope")
            try await replica.forget(response.held)
            report.held += response.held.count
            report.dropped += response.evicted.count
            try await replica.acknowledge(batch, except: Set(response.partial), history: response.history)
            ahead.removeFirst(batch.count)
            if let page = response.page {
                try await take(page, into: &report)
                caughtUp = !page.more
            }
            waiting += response.partial.count
            report.pushed += batch.count
            report.pushedChanged += response.changed
            progress(SyncProgress(phase: .push, done: report.pushed, total: max(queued, report.pushed)))
        }
        report.waiting = waiting
        if recovering, !believing, waiting == 0 { try await replica.endRecovery() }
        return caughtUp
    }

    /// Joins a pulled page into the replica and counts it in the report.
    private func take(_ page: PullResponse, into report: inout SyncReport) async throws {
        if var changes = report.changes {
            report.applied += try await replica.apply(page, noting: &changes)
            report.changes = changes
        } else {
            report.applied += try await replica.apply(page)
        }
        report.pulled += page.records.count
        report.dropped += page.evicted.count
        if let since = page.awaySince { report.awaySince = since }
        if let time = page.time { report.clockSkew = Int64(clamping: Replica.wallClock()) - Int64(clamping: time) }
    }

    /// Sends one push of `batch`, once (with the request for the first pull page when `withPage`), and reports
    /// how long it took and how large it was to `size`.
    private func send(
        _ batch: [PendingRecord], as identity: ReplicaIdentity, recovering: Bool, withPage: Bool,
        size: inout AdaptiveSize
    ) async throws -> PushResponse {
        let history = try await replica.history()
        var request = try await pushRequest(for: batch, as: identity, recovering: recovering)
        if withPage, !recovering, try await replica.serverProtocol() >= 2 {
            let limit = AdaptiveSize.pull(ceiling: pullPage, target: requestTarget).next
            request.pull = PushRequest.PullRequest(since: try await replica.cursor(), limit: limit)
        }
        let sentBefore = transport.counted?.sent
        let started = ContinuousClock.now
        let response: PushResponse
        do {
            response = try await transport.push(request, history: history)
        } catch let error as SyncError where request.version >= 2 && error.isVersion1Refusal {
            // The server went back to a version that takes whole records only: send them whole.
            try await replica.setServerProtocol(1)
            let whole = PushRequest(
                replica: identity.replica, records: try await wholeStates(of: batch), recover: recovering)
            response = try await transport.push(whole, history: history)
        }
        let sent = sentBefore.flatMap { before in transport.counted.map { $0.sent - before } }
        size.completed(records: batch.count, bytes: sent, elapsed: ContinuousClock.now - started)
        return response
    }

    /// The push of `batch`: each record as its delta against what the server acknowledged, when the server
    /// speaks version 2 and the replica is not recovering (a recovering push sends whole records: the server no
    /// longer holds what this replica knew); else every record whole.
    private func pushRequest(for batch: [PendingRecord], as identity: ReplicaIdentity, recovering: Bool) async throws
        -> PushRequest
    {
        guard !recovering, try await replica.serverProtocol() >= 2 else {
            return PushRequest(
                replica: identity.replica, records: try await wholeStates(of: batch), recover: recovering)
        }
        var stores: [String: Set<WriteTarget>] = [:]
        let records = batch.map { pending in
            guard let delta = pending.delta else { return pending.state }
            stores[pending.state.id] = delta.stores
            return delta.state
        }
        return PushRequest(replica: identity.replica, records: records, stores: stores, version: 2)
    }

    /// The whole records of `batch`, read again where only a delta was read (the server went back to version 1).
    private func wholeStates(of batch: [PendingRecord]) async throws -> [RecordState] {
        var states: [RecordState] = []
        for pending in batch {
            if pending.isWhole {
                states.append(pending.state)
            } else if let state = try await replica.record(pending.state.id) {
                states.append(state)
            }
        }
        return states
    }

    /// A pull page read, with what its fetch measured and the fetch of the page after it, when already asked for.
    private struct Arrival: Sendable {
        var page: PullResponse
        var retried: Int
        var size: AdaptiveSize
        var following: Task<Arrival, any Error>?
    }

    /// Pulls until caught up, in three stages: while one page is joined and stored here, the next is read on
    /// another thread and the server reads and compresses the one after. A page is asked for as soon as the
    /// answer before it says where it starts (`PullResponse.nextHeader`), or, from a server that does not say, once
    /// that answer is read; at most three pages are asked for and not yet stored (`PageWindow`). Pages still
    /// commit one at a time, in order, each with its cursor. Each page is sized from the ones before it; a fetch
    /// whose connection drops is tried again for half as many.
    private func pull(as identity: ReplicaIdentity, into report: inout SyncReport, progress: (SyncProgress) -> Void)
        async throws
    {
        var cursor = try await replica.cursor()
        let start = cursor
        let transport = self.transport
        let retry = self.retry
        let window = PageWindow(limit: 3)
        // Each fetch counts its own retries and sizes its own attempts; both are taken with its page, and with the
        // fetch of the page after it when the answer said where that starts.
        func fetch(after cursor: UInt64, history: HistoryPosition?, size: AdaptiveSize) -> Task<Arrival, any Error> {
            Task {
                try await window.enter()
                var size = size
                var retried = 0
                var received: ReceivedPage
                var limit: Int
                var elapsed: Duration
                while true {
                    limit = size.next
                    let started = ContinuousClock.now
                    do {
                        received = try await transport.receive(
                            since: cursor, limit: limit, replica: identity.replica, history: history)
                        elapsed = ContinuousClock.now - started
                        break
                    } catch let error as SyncError where error.dropped && retried < retry.delays.count {
                        try await Task.sleep(for: retry.delays[retried])
                        retried += 1
                        size.failed(records: limit)
                    }
                }
                // The last page holds what was left, not what the size asked for: it measures nothing.
                if received.next != nil { size.completed(records: limit, elapsed: elapsed) }
                let following = received.next.flatMap { next in
                    next.seq > cursor ? fetch(after: next.seq, history: next, size: size) : nil
                }
                do {
                    let page = try await received.read()
                    if received.next == nil, page.more { size.completed(records: limit, elapsed: elapsed) }
                    return Arrival(page: page, retried: retried, size: size, following: following)
                } catch {
                    following?.cancel()
                    throw error
                }
            }
        }
        var next = fetch(
            after: cursor, history: try await replica.history(),
            size: AdaptiveSize.pull(ceiling: pullPage, target: requestTarget))
        defer {
            next.cancel()
            Task { await window.close() }
        }
        while true {
            let arrival = try await next.value
            let page = arrival.page
            report.retries += arrival.retried
            report.roundTrips += 1
            // A page may hold no records (the replica's own pushes are skipped) yet move the cursor.
            let last = !page.more || page.cursor <= cursor
            if last {
                arrival.following?.cancel()
            } else {
                // From a server that did not say where this page would end, the next is asked for only now.
                next = arrival.following ?? fetch(after: page.cursor, history: page.next, size: arrival.size)
            }
            try await take(page, into: &report)
            await window.leave()
            cursor = page.cursor
            progress(
                SyncProgress(
                    phase: .pull, done: Int(clamping: cursor - min(start, cursor)),
                    total: Int(clamping: page.latest - min(start, page.latest))))
            if last { break }
        }
    }
}
