/// How many pull pages a sync has asked for and not yet stored: at most `limit`. A fetch waits for room before it
/// asks the server, and each page stored makes room; so a fast server never fills memory ahead of the disk.
actor PageWindow {
    private let limit: Int
    private var taken = 0
    private var waiting: [CheckedContinuation<Void, any Error>] = []
    private var closed = false

    init(limit: Int) {
        precondition(limit > 0, "a window holds at least one page")
        self.limit = limit
    }

    /// Waits for room for one more page; throws `CancellationError` once the window is closed.
    func enter() async throws {
        guard !closed else { throw CancellationError() }
        if taken < limit {
            taken += 1
            return
        }
        try await withCheckedThrowingContinuation { waiting.append($0) }
    }

    /// A page was stored (or given up): its room goes to the first fetch waiting, if any.
    func leave() {
        if waiting.isEmpty {
            taken = max(0, taken - 1)
        } else {
            waiting.removeFirst().resume()
        }
    }

    /// The sync is over: no fetch waiting or to come gets room.
    func close() {
        closed = true
        for fetch in waiting { fetch.resume(throwing: CancellationError()) }
        waiting = []
    }
}
