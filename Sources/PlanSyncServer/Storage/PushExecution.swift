import PlanSyncCore

/// What every store does with the steps of one push, in order: the writes each step asks for and the answer
/// they add up to. A store reads, runs the plan, hands the step here, and makes the writes; it decides nothing.
struct PushExecution {
    private(set) var response: PushResponse
    /// The sequence of the last write, 0 while nothing was written.
    private var last: UInt64 = 0

    init(received: Int) {
        response = PushResponse(received: received, changed: 0)
    }

    /// Refuses a pushed record whose id the store holds in another collection.
    static func check(_ incoming: RecordState, stored: RecordState?) throws {
        if let stored, stored.collection != incoming.collection {
            throw StoreError.collectionMismatch(id: incoming.id, stored: stored.collection)
        }
    }

    /// The writes one step asks for, in the order they are made, and its part of the answer.
    mutating func writes(for step: PushStep, incoming: RecordState, stored: RecordState?) -> [PushWrite] {
        if step.partial { response.partial.append(incoming.id) }
        switch step.decision {
        case .unchanged:
            return []
        case .store(let joined, let origin):
            response.changed += 1
            return [.store(joined, previous: stored, origin: origin, whole: false)]
        case .evict:
            response.evicted.append(incoming.id)
            return []
        case .hold(let held):
            response.held.append(incoming.id)
            // Held once: a replayed push finds it already kept. Then a new sequence for the approved report,
            // whole, so the pusher's next pull restores it.
            return [.storeIfAbsent(held)] + (stored.map { [.store($0, previous: $0, origin: nil, whole: true)] } ?? [])
        }
    }

    /// Notes the sequence a write took.
    mutating func wrote(at seq: UInt64) {
        last = seq
    }

    /// The answer, with where the history stands when anything was written.
    func finished(epoch: Epoch) -> PushResponse {
        var response = response
        if last > 0 { response.history = HistoryPosition(epoch: epoch.id, seq: last) }
        return response
    }
}

/// One write of a push, as the plan decided it.
enum PushWrite {
    /// Store `state` with the next sequence in place of `previous`; `whole` sends it whole to every puller.
    case store(RecordState, previous: RecordState?, origin: ReplicaID?, whole: Bool)
    /// Store `state` with the next sequence unless a record with its id is held.
    case storeIfAbsent(RecordState)
}
