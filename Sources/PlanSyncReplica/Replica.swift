import Foundation
import GRDB
import PlanSyncCore

/// A field replica: one SQLite file holding every record this replica has, the local writes not yet pushed
/// (the outbox), and the server cursor it has pulled up to.
///
/// Each local edit and its outbox entry commit in one transaction; each pulled page and the new cursor commit in
/// one transaction. A crash at any instant therefore loses nothing acknowledged, and the next sync resumes from
/// the last committed page.
public final class Replica: Sendable {
    public let path: String
    public let schema: Schema
    let pool: DatabasePool

    private init(path: String, schema: Schema) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.label = "replica"
        // Deleted content is zeroed where that costs no extra write, whatever the system's SQLite was built with:
        // Debian's overwrites every freed page, which doubled the cost of acknowledging a push (each acknowledged
        // record drops its base, a whole record). The file is not encrypted either (README, Security).
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA secure_delete = FAST") }
        self.path = path
        self.schema = schema
        self.pool = try DatabasePool(path: path, configuration: configuration)
        // An edit once saved stays saved through a power cut: each commit waits for the disk. GRDB leaves a
        // pool's writer at `synchronous = NORMAL` in WAL mode, where the last commits before a cut can vanish.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        try ReplicaSchema.migrator(schema: schema).migrate(pool)
    }

    /// Opens an existing replica file.
    public static func open(at path: String, schema: Schema = .planSync) throws -> Replica {
        guard FileManager.default.fileExists(atPath: path) else { throw ReplicaError.noReplica(path) }
        let replica = try Replica(path: path, schema: schema)
        guard try replica.pool.read({ try Meta.get(.replicaID, in: $0) }) != nil else {
            throw ReplicaError(
                "\(path) is not a PlanSync replica (no replica id); create one with 'plansync init'", kind: .noReplica)
        }
        return replica
    }

    /// Creates a replica for a server, or reopens the one at `path` if it was made for the same server.
    /// A file made for another server is refused: its records and dots belong to that server's history.
    /// `serverCA` (PEM), when given, is the certificate authority trusted for the server from then on; nil keeps
    /// the one the replica had.
    public static func create(
        at path: String, serverURL: String, token: String, session: SessionInfo, serverCA: String? = nil,
        schema: Schema = .planSync
    ) throws -> Replica {
        try restrictAccess(to: path)
        let replica = try Replica(path: path, schema: schema)
        try replica.pool.write { db in
            if let existing = try Meta.get(.serverID, in: db) {
                guard existing == session.server.rawValue else {
                    throw ReplicaError(
                        "\(path) is a replica of another server (\(try Meta.get(.serverURL, in: db) ?? "?")); "
                            + "choose a new file for \(serverURL)", kind: .refused)
                }
            } else {
                try Meta.set(.replicaID, ReplicaID.random().rawValue, in: db)
                try Meta.set(.serverID, session.server.rawValue, in: db)
                try Meta.set(.cursor, "0", in: db)
            }
            try Meta.set(.serverURL, serverURL, in: db)
            try Meta.set(.token, token, in: db)
            if let serverCA { try Meta.set(.serverCA, serverCA, in: db) }
            try Meta.setJSON(.principal, session.principal, in: db)
        }
        return replica
    }

    /// Who this replica is and where it syncs.
    public func identity() async throws -> ReplicaIdentity {
        try await pool.read { db in try ReplicaIdentity(db) }
    }
}

/// A replica's own id, its server, and the principal its token belongs to.
public struct ReplicaIdentity: Sendable {
    public let replica: ReplicaID
    public let serverURL: String
    public let serverID: ReplicaID
    public let token: String
    public let principal: Principal
    /// The certificate authority (PEM) trusted for an https server besides the system's, if one was given.
    public let serverCA: String?

    init(_ db: Database) throws {
        guard let replica = try Meta.get(.replicaID, in: db), let url = try Meta.get(.serverURL, in: db),
            let server = try Meta.get(.serverID, in: db), let token = try Meta.get(.token, in: db),
            let principal = try Meta.getJSON(.principal, Principal.self, in: db)
        else {
            throw ReplicaError(
                "the replica's identity is incomplete; create it again with 'plansync init'", kind: .noReplica)
        }
        self.replica = ReplicaID(replica)
        self.serverURL = url
        self.serverID = ReplicaID(server)
        self.token = token
        self.principal = principal
        self.serverCA = try Meta.get(.serverCA, in: db)
    }
}

/// The replica's key-value settings, in table `meta`.
enum Meta: String {
    case replicaID = "replica_id", serverID = "server_id", serverURL = "server_url", token, principal, cursor
    case clock = "hlc", revision = "outbox_revision"
    /// The latest position seen of the server's history (`EPOCH:SEQ`), sent with every request.
    case history
    /// Set while the replica re-pushes its own writes after finding the server's history went back.
    case recovering
    /// The protocol version the server last said it speaks (in a pull page); deltas are pushed only from 2.
    case serverProtocol = "server_protocol"
    /// The PEM of the certificate authority `plansync init --ca-file` trusts for the server.
    case serverCA = "server_ca"
    /// The replica's Ed25519 private key (raw, base64), made on first use; it signs the bundles it writes.
    case signingKey = "signing_key"
    /// Set once the server has registered the replica's public key.
    case keyRegistered = "key_registered"

    static func get(_ key: Meta, in db: Database) throws -> String? {
        try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key.rawValue])
    }

    static func set(_ key: Meta, _ value: String, in db: Database) throws {
        try db.execute(
            sql: "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            arguments: [key.rawValue, value])
    }

    static func getJSON<T: Decodable>(_ key: Meta, _ type: T.Type, in db: Database) throws -> T? {
        guard let text = try get(key, in: db) else { return nil }
        return try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }

    static func setJSON(_ key: Meta, _ value: some Encodable, in db: Database) throws {
        try set(key, try WireJSON.string(value), in: db)
    }
}
