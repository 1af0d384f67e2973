import Foundation
import GRDB
import PlanSyncCore

/// What a bundle export or import did.
public struct BundleSummary: Sendable, Hashable, Codable {
    /// Records written into the bundle, or changed here by an import.
    public var records = 0
    /// Signed pushes of other replicas carried in the bundle, or newly carried here by an import.
    public var carried = 0
}

/// A signed push of another replica that this one carries, to relay to the server and to pass on.
public struct CarriedSection: Sendable, Hashable {
    public let section: ReplicaBundle.Section
    /// Why the server refused it, once it did; it is not sent again.
    public let refused: String?
}

extension Replica {
    /// This replica's signing key, made and kept on first use.
    public func signingKey() async throws -> ReplicaSigningKey {
        try await pool.write { db in try Self.signingKey(in: db) }
    }

    static func signingKey(in db: Database) throws -> ReplicaSigningKey {
        if let text = try Meta.get(.signingKey, in: db) {
            guard let data = Data(base64Encoded: text), let key = ReplicaSigningKey(raw: data) else {
                throw ReplicaError(
                    "the replica's signing key is damaged; create the replica again with 'plansync init'")
            }
            return key
        }
        let key = ReplicaSigningKey()
        try Meta.set(.signingKey, key.raw.base64EncodedString(), in: db)
        return key
    }

    /// Whether the server has registered this replica's public key.
    public func isKeyRegistered() async throws -> Bool {
        try await pool.read { db in try Meta.get(.keyRegistered, in: db) == "1" }
    }

    public func noteKeyRegistered() async throws {
        try await pool.write { db in try Meta.set(.keyRegistered, "1", in: db) }
    }

    /// Writes a bundle to `path`: the pushes this replica carries for others, then its own — every record, or with
    /// `sincePeer` only those whose context is not covered by what that peer held in its last bundle imported
    /// here. Changes nothing in the replica but, on first use, its signing key.
    @discardableResult
    public func exportBundle(to path: String, sincePeer peer: ReplicaID? = nil) async throws -> BundleSummary {
        let key = try await signingKey()
        let (bundle, summary) = try await pool.read { db in
            let identity = try ReplicaIdentity(db)
            var peerFrontier: [String: VersionVector]?
            if let peer {
                var known: [String: VersionVector] = [:]
                for row in try Row.fetchAll(
                    db, sql: "SELECT record_id, context FROM peer_frontier WHERE peer = ?", arguments: [peer.rawValue])
                {
                    known[row[0]] = ReplicaBundle.context(row[1])
                }
                guard !known.isEmpty else {
                    throw ReplicaError(
                        "no bundle of replica \(peer) was imported here, so what it lacks is unknown; "
                            + "export everything (leave out --since-peer)", kind: .refused)
                }
                peerFrontier = known
            }
            var states: [RecordState] = []
            var frontier: [String: VersionVector] = [:]
            for json in try String.fetchAll(db, sql: "SELECT state FROM record ORDER BY id") {
                let state = try Self.decode(json)
                frontier[state.id] = state.context
                if let seen = peerFrontier?[state.id], seen.descends(state.context) { continue }
                states.append(state)
            }
            let carried = try Self.carried(in: db).filter { $0.refused == nil }.map(\.section)
            let push = PushRequest(replica: identity.replica, records: states, version: 2)
            let own = try SignedSection(signing: RecordJSON.encode(push), as: identity.replica, with: key)
            let bundle = ReplicaBundle(
                exporter: identity.replica, exporterKey: key.publicKey, server: identity.serverID,
                created: Date().ISO8601Format(), sections: carried + [.init(own, key: key.publicKey)],
                frontier: frontier)
            return (bundle, BundleSummary(records: states.count, carried: carried.count))
        }
        try bundle.write(to: path, sealedWith: key)
        return summary
    }

    /// Joins a bundle read with `ReplicaBundle.read`: every section's records in this replica's scope, as a pull
    /// joins the server's, in one transaction with the sections kept to carry on and the exporter's frontier.
    /// This replica's own sections, come back, are skipped. A bundle of another server's replicas is refused.
    @discardableResult
    public func importBundle(_ bundle: ReplicaBundle) async throws -> BundleSummary {
        let schema = self.schema
        return try await pool.write { db in
            let identity = try ReplicaIdentity(db)
            guard bundle.server == identity.serverID else {
                throw ReplicaError(
                    "the bundle is of replica \(bundle.exporter) of another server (\(bundle.server)); this replica "
                        + "syncs with \(identity.serverID); nothing was imported", kind: .refused)
            }
            var summary = BundleSummary()
            var clock =
                try Meta.getJSON(.clock, HybridLogicalClock.self, in: db)
                ?? HybridLogicalClock(replica: identity.replica)
            let limit = Self.wallClock() + CausalBounds.maxDrift
            var changed: Set<String> = []
            for section in bundle.sections where section.signed.signer != identity.replica {
                let push = try section.signed.verifiedPush(key: section.key)
                for incoming in push.records
                where identity.principal.receives(office: incoming.scopeOffice(schema: schema)) {
                    do {
                        try schema.validate(incoming)
                    } catch {
                        throw ReplicaError(
                            "the bundle's section of replica \(push.replica) holds an invalid record: \(error); "
                                + "nothing was imported", kind: .refused)
                    }
                    if let time = incoming.latestTime { clock.observe(time, limit: limit) }
                    // Not the server's copy: the outbox's base stays as the server last sent it.
                    if try Self.join(incoming, in: db, schema: schema) != nil {
                        changed.insert(incoming.id)
                        // A queued record now differs from its base in stores this replica did not write: found
                        // again by comparing, so a push of it carries them too.
                        try db.cachedStatement(sql: "UPDATE outbox SET stores = NULL WHERE record_id = ?")
                            .execute(arguments: [incoming.id])
                    }
                }
                try db.execute(
                    sql: """
                        INSERT INTO carried(signer, key, payload, signature) VALUES (?, ?, ?, ?)
                        ON CONFLICT(signature) DO NOTHING
                        """,
                    arguments: [
                        section.signed.signer.rawValue, section.key.description, Data(section.signed.payload),
                        section.signed.signature,
                    ])
                if db.changesCount > 0 { summary.carried += 1 }
            }
            try Meta.setJSON(.clock, clock, in: db)
            try db.execute(sql: "DELETE FROM peer_frontier WHERE peer = ?", arguments: [bundle.exporter.rawValue])
            for (id, context) in bundle.frontier {
                try db.execute(
                    sql: "INSERT INTO peer_frontier(peer, record_id, context) VALUES (?, ?, ?)",
                    arguments: [bundle.exporter.rawValue, id, ReplicaBundle.text(context)])
            }
            summary.records = changed.count
            return summary
        }
    }

    /// The signed pushes this replica carries, in the order they arrived.
    public func carriedSections() async throws -> [CarriedSection] {
        try await pool.read { db in try Self.carried(in: db) }
    }

    /// The server took a carried push: it need not travel further.
    public func relayed(_ section: SignedSection) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM carried WHERE signature = ?", arguments: [section.signature])
        }
    }

    /// The server refused a carried push, saying why: kept, marked, and not sent again.
    public func refusedRelay(_ section: SignedSection, reason: String) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE carried SET refused = ? WHERE signature = ?", arguments: [reason, section.signature])
        }
    }

    static func carried(in db: Database) throws -> [CarriedSection] {
        try Row.fetchAll(db, sql: "SELECT signer, key, payload, signature, refused FROM carried ORDER BY position")
            .compactMap { row in
                guard let key = ReplicaKey(row[1]) else { return nil }
                let payload: Data = row[2]
                let signed = SignedSection(
                    signer: ReplicaID(row[0] as String), payload: [UInt8](payload), signature: row[3])
                return CarriedSection(section: .init(signed, key: key), refused: row[4])
            }
    }
}
