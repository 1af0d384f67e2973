/// What a server may believe of a pushed record, checked against the copy it stores before any join.
///
/// A dot claims "replica r made its n-th write"; a context claims "this copy has seen every write of r up to
/// n". In a star topology the only new writes an honest push brings are the pusher's own, and what it knows of
/// every other replica it learned from the server. So a push is refused whole when one of its records:
/// - holds an entry whose dot the server has never seen and that is not the pusher's (`unknownDot`), or an
///   entry under a dot the server holds with other content (`alteredEntry`);
/// - claims in its context, or in a new tombstone's context, more of another replica than the stored copy has
///   seen (`overclaimedContext`);
/// - carries a new timestamp further than `CausalBounds.maxDrift` ahead of the server's clock (`clockAhead`),
///   or a number outside `CausalBounds` (`outOfRange`), or a resolution signed with another name;
/// - changes anything (an entry, a tombstone, the context) that the token's role may not change (`forbidden`).
///
/// Every store runs this one rule; docs/PROTOCOL.md states it for clients.
public struct PushVerification: Sendable {
    /// The registered replica the push comes from.
    public let pusher: ReplicaID
    public let principal: Principal
    /// The server's wall clock, in milliseconds since 1970.
    public let now: UInt64
    public let schema: Schema

    public init(pusher: ReplicaID, principal: Principal, now: UInt64, schema: Schema = .planSync) {
        self.pusher = pusher
        self.principal = principal
        self.now = now
        self.schema = schema
    }

    /// Checks the claims of one pushed record against the stored copy (nil for a record the server lacks).
    public func verify(_ incoming: RecordState, stored: RecordState?) throws(PushRefusal) {
        let seen = stored?.context ?? VersionVector()
        for (replica, counter) in incoming.context.counters {
            guard counter <= CausalBounds.maxCounter else {
                throw refusal(incoming, .outOfRange, "context counter \(counter) of \(replica) is over \(CausalBounds.maxCounter)")
            }
            if replica != pusher, counter > seen[replica] {
                throw refusal(
                    incoming, .overclaimedContext,
                    "the context claims \(counter) write(s) of replica \(replica); this server has seen \(seen[replica])")
            }
        }
        // Store by store, against the stored copy of the same store: dots are unique within a record, so an
        // entry under a held dot must be that entry, and one the server saw but no longer holds is dropped by
        // the join whatever it says.
        for (name, entries) in incoming.fields {
            try verify(entries, held: stored?.fields[name] ?? [], seen: seen, in: incoming) { .field(name, $0) }
        }
        for (language, byField) in incoming.translations {
            for (name, entries) in byField {
                try verify(entries, held: stored?.translations[language]?[name] ?? [], seen: seen, in: incoming) {
                    .translation(language: language, field: name, $0)
                }
            }
        }
        try verify(incoming.tombstones, held: stored?.tombstones ?? [], seen: seen, in: incoming) { .tombstone($0) }
    }

    private func verify<Entry: DottedEntry>(
        _ entries: [Entry], held: [Entry], seen: VersionVector, in record: RecordState, as wrap: (Entry) -> HeldEntry
    ) throws(PushRefusal) {
        for entry in entries {
            let dot = entry.dot
            if let kept = held.first(where: { $0.dot == dot }) {
                guard kept == entry else {
                    throw refusal(record, .alteredEntry, "entry \(dot) differs from the one this server holds")
                }
                continue
            }
            if seen.covers(dot) { continue }
            guard dot.replica == pusher else {
                throw refusal(
                    record, .unknownDot,
                    "entry \(dot) is a write of replica \(dot.replica) that this server never received; "
                        + "a push carries only the pusher's own new writes")
            }
            try verifyNew(wrap(entry), dot: dot, of: record, seen: seen)
        }
    }

    /// A new write of the pusher's: numbers in range, no time ahead of the server's clock, a resolution signed
    /// with the pusher's own name, and a delete that saw nothing of others beyond what the server holds.
    private func verifyNew(_ entry: HeldEntry, dot: Dot, of record: RecordState, seen: VersionVector)
        throws(PushRefusal)
    {
        let time = entry.time
        guard dot.counter <= CausalBounds.maxCounter, time.isInRange else {
            throw refusal(
                record, .outOfRange,
                "entry \(dot) has numbers out of range (n ≤ \(CausalBounds.maxCounter), t ≤ \(CausalBounds.maxWall), "
                    + "l ≤ \(CausalBounds.maxLogical))")
        }
        guard time.wall <= now + CausalBounds.maxDrift else {
            throw refusal(
                record, .clockAhead,
                "entry \(dot) is dated \(time.wall - now) ms ahead of this server's clock (the bound is "
                    + "\(CausalBounds.maxDrift) ms); the writing device's clock is wrong")
        }
        let signature: String? =
            switch entry {
            case .field(_, let candidate): candidate.resolution?.by
            case .translation(_, _, let candidate): candidate.resolution?.by
            case .tombstone: nil
            }
        if let by = signature, by != principal.name {
            throw refusal(record, .forbidden, "entry \(dot) is a resolution signed '\(by)', not '\(principal.name)'")
        }
        switch entry {
        case .field, .translation:
            break
        case .tombstone(let tombstone):
            for (replica, counter) in tombstone.seen.counters where replica != pusher && counter > seen[replica] {
                throw refusal(
                    record, .overclaimedContext,
                    "delete \(dot) claims to have seen \(counter) write(s) of replica \(replica); this server has seen "
                        + "\(seen[replica])")
            }
        }
    }

    /// Checks that the join changed nothing the token's role may not change: every field, translation and
    /// tombstone that differs, and the context itself.
    public func verifyChanges(stored: RecordState?, joined: RecordState) throws(PushRefusal) {
        let targets = joined.targetsChanged(from: stored).sorted { "\($0)" < "\($1)" }
        for target in targets {
            let reason =
                stored.flatMap { principal.refusal(of: target, on: $0, schema: schema) }
                ?? principal.refusal(of: target, on: joined, schema: schema)
            if let reason { throw refusal(joined, .forbidden, reason) }
        }
        if targets.isEmpty, let stored, joined.context != stored.context, principal.role != .admin {
            // A context that moves with no entry is a change too: it would mark writes as seen.
            let reason = principal.refusal(of: .lifecycle, on: stored, schema: schema) ?? ""
            throw refusal(joined, .forbidden, "the push moves the record's context with no write of its own. \(reason)")
        }
    }

    /// The part of a pushed record the server can believe: the pusher's own entries and context, and of every
    /// other replica only what the stored copy has seen. A replica that finds the server went back (a restore)
    /// pushes this way: its own writes return, and those of others come back from their own replicas.
    ///
    /// Nil when nothing can be believed yet: a delete of the pusher's that saw writes of others the server
    /// lacks. A delete is one entry with its context; cut down, it would be another entry under the same dot.
    public func believable(_ incoming: RecordState, stored: RecordState?) -> RecordState? {
        let seen = stored?.context ?? VersionVector()
        let claimsTooMuch = { (vector: VersionVector) in
            vector.counters.contains { replica, counter in replica != self.pusher && counter > seen[replica] }
        }
        let keep = { (dot: Dot) in dot.replica == self.pusher || seen.covers(dot) }
        var result = incoming
        result.tombstones = incoming.tombstones.filter { keep($0.dot) }
        if result.tombstones.contains(where: { !seen.covers($0.dot) && claimsTooMuch($0.seen) }) { return nil }
        result.context = VersionVector(
            Dictionary(
                uniqueKeysWithValues: incoming.context.counters.map { replica, counter in
                    (replica, replica == pusher ? counter : min(counter, seen[replica]))
                }))
        result.fields = result.fields.compactMapValues { entries in
            let kept = entries.filter { keep($0.dot) }
            return kept.isEmpty ? nil : kept
        }
        result.translations = result.translations.compactMapValues { byField in
            let kept = byField.compactMapValues { entries in
                let kept = entries.filter { keep($0.dot) }
                return kept.isEmpty ? nil : kept
            }
            return kept.isEmpty ? nil : kept
        }
        return result
    }

    private func refusal(_ record: RecordState, _ kind: PushRefusal.Kind, _ reason: String) -> PushRefusal {
        PushRefusal(record: record.id, kind: kind, reason: reason)
    }
}

/// Why a push was refused: the record, what kind of claim failed, and a sentence for the person.
public struct PushRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Hashable, Sendable {
        case unknownDot = "unknown_dot"
        case alteredEntry = "altered_entry"
        case overclaimedContext = "overclaimed_context"
        case clockAhead = "clock_ahead"
        case outOfRange = "out_of_range"
        case forbidden
    }

    public let record: String
    public let kind: Kind
    public let reason: String

    public init(record: String, kind: Kind, reason: String) {
        self.record = record
        self.kind = kind
        self.reason = reason
    }

    public var description: String { "\(record): \(reason)" }
}

/// One dotted entry of a record, with the store it belongs to.
public enum HeldEntry: Hashable, Sendable {
    case field(String, FieldCandidate)
    case translation(language: String, field: String, TranslationCandidate)
    case tombstone(Tombstone)

    public var time: HybridTimestamp {
        switch self {
        case .field(_, let entry): entry.time
        case .translation(_, _, let entry): entry.time
        case .tombstone(let entry): entry.time
        }
    }
}
