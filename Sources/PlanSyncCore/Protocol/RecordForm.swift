/// The two JSON forms of a record (docs/PROTOCOL.md, "Compact records"). Both carry the same state; every
/// reader reads both.
public enum RecordForm: Sendable {
    /// Every entry names its replica, counter, wall time and logical counter in full:
    /// `{"r":"f152b8d43f918404","n":3,"t":1796126931198,"l":212,"v":…}`. The form of protocol version 1 and of
    /// `RecordState`'s `Codable` conformance.
    case verbose
    /// What replicas and the server store and what version-2 peers send. The record has a time base `"t0"`, the
    /// earliest wall time of its entries. An entry's `"r"` is the index of its replica in the record's context
    /// (the context's replica ids in sorted order), left out when 0, or the id itself when the context lacks it;
    /// `"t"` is its wall time less `"t0"`, left out when 0; `"l"` is left out when 0: `{"n":3,"l":212,"v":…}`.
    ///
    /// Two rules of key order follow: a record's `"context"` comes before any entry that gives its replica as
    /// an index, and its `"t0"` before any entry at all.
    case compact
}

/// How the entries of one compact record are stamped: the replica ids of its context, sorted, and its time
/// base.
struct StampFrame {
    let replicas: [ReplicaID]
    let base: UInt64

    init(_ state: RecordState) {
        replicas = state.context.counters.keys.sorted()
        var base = UInt64.max
        for entries in state.fields.values { for entry in entries { base = min(base, entry.time.wall) } }
        for byField in state.translations.values {
            for entries in byField.values { for entry in entries { base = min(base, entry.time.wall) } }
        }
        for tombstone in state.tombstones { base = min(base, tombstone.time.wall) }
        self.base = base == .max ? 0 : base
    }

    /// The replica's index in the context, found by halving (contexts are short, but records many).
    func index(of replica: ReplicaID) -> Int? {
        var low = 0
        var high = replicas.count
        while low < high {
            let middle = (low + high) / 2
            if replicas[middle] < replica { low = middle + 1 } else { high = middle }
        }
        return low < replicas.count && replicas[low] == replica ? low : nil
    }

    /// The bytes of `,"t0":BASE` in the record, none when the base is 0.
    var baseBytes: Int {
        base == 0 ? 0 : 6 + String(base).utf8.count
    }
}
