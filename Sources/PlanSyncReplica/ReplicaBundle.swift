import Crypto
import Foundation
import GRDB
import PlanSyncCore

/// A bundle: what one replica sends another with no link between them (a USB stick, an e-mail attachment), as a
/// plain SQLite file (docs/PROTOCOL.md, "Bundles").
///
/// It holds signed pushes (`SignedSection`): those the exporter carries for other replicas, in the order they
/// reached it, then the exporter's own. Beside them, what the exporter holds of every record (its context), so
/// the peer can later export only what the exporter lacks. The whole file is sealed: the exporter's key signs a
/// digest of everything in it, so a bundle cut short or changed anywhere is refused whole.
public struct ReplicaBundle: Sendable {
    public static let format = "plansync-bundle"
    public static let version = 1

    /// A signed push with the key that signed it, so a replica can check it without the server.
    public struct Section: Sendable, Hashable {
        public let signed: SignedSection
        public let key: ReplicaKey

        public init(_ signed: SignedSection, key: ReplicaKey) {
            self.signed = signed
            self.key = key
        }
    }

    public let exporter: ReplicaID
    public let exporterKey: ReplicaKey
    /// The server whose history the records belong to.
    public let server: ReplicaID
    public let created: String
    public let sections: [Section]
    /// Each record's context at the exporter.
    public let frontier: [String: VersionVector]

    init(
        exporter: ReplicaID, exporterKey: ReplicaKey, server: ReplicaID, created: String, sections: [Section],
        frontier: [String: VersionVector]
    ) {
        (self.exporter, self.exporterKey, self.server, self.created) = (exporter, exporterKey, server, created)
        (self.sections, self.frontier) = (sections, frontier)
    }

    /// What the seal signs: every header value, every section (its signature covers its payload), and the
    /// frontier, in one fixed order.
    var digest: Data {
        var hash = SHA256()
        func add(_ text: String) { hash.update(data: Data((text + "\n").utf8)) }
        for text in [
            Self.format, String(Self.version), exporter.rawValue, exporterKey.description, server.rawValue,
            created, String(sections.count),
        ] {
            add(text)
        }
        for section in sections {
            add(section.signed.signer.rawValue)
            add(section.key.description)
            add(section.signed.signature)
            add(Hex.encode(SHA256.hash(data: section.signed.payload)))
        }
        add(String(frontier.count))
        for (id, context) in frontier.sorted(by: { $0.key < $1.key }) {
            add(id)
            add(Self.text(context))
        }
        return Data(hash.finalize())
    }

    /// Writes the bundle, sealed with `key`, to `path`: whole or not at all (a temporary file renamed at the end).
    func write(to path: String, sealedWith key: ReplicaSigningKey) throws {
        let seal = try key.signature(of: digest).base64EncodedString()
        let temporary = path + ".partial"
        try? FileManager.default.removeItem(atPath: temporary)
        do {
            let queue = try DatabaseQueue(path: temporary)
            try queue.write { db in
                try db.execute(
                    sql: """
                        CREATE TABLE bundle (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) STRICT;
                        CREATE TABLE section (
                            position INTEGER PRIMARY KEY, signer TEXT NOT NULL, key TEXT NOT NULL,
                            payload BLOB NOT NULL, signature TEXT NOT NULL
                        ) STRICT;
                        CREATE TABLE frontier (record_id TEXT PRIMARY KEY NOT NULL, context TEXT NOT NULL) STRICT;
                        """)
                let header = [
                    ("format", Self.format), ("version", String(Self.version)), ("exporter", exporter.rawValue),
                    ("key", exporterKey.description), ("server", server.rawValue), ("created", created),
                    ("sections", String(sections.count)), ("seal", seal),
                ]
                for (name, value) in header {
                    try db.execute(sql: "INSERT INTO bundle(key, value) VALUES (?, ?)", arguments: [name, value])
                }
                for (position, section) in sections.enumerated() {
                    try db.execute(
                        sql: "INSERT INTO section(position, signer, key, payload, signature) VALUES (?, ?, ?, ?, ?)",
                        arguments: [
                            position, section.signed.signer.rawValue, section.key.description,
                            Data(section.signed.payload), section.signed.signature,
                        ])
                }
                for (id, context) in frontier {
                    try db.execute(
                        sql: "INSERT INTO frontier(record_id, context) VALUES (?, ?)",
                        arguments: [id, Self.text(context)])
                }
            }
            try queue.close()
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: temporary, toPath: path)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw ReplicaError("could not write the bundle \(path): \(error.localizedDescription)", kind: .cannotCreate)
        }
    }

    /// Reads a bundle and checks it whole: its format, its seal, and every section's signature. A file cut
    /// short, changed anywhere, or not a bundle is refused with one line saying which.
    public static func read(from path: String) throws -> ReplicaBundle {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ReplicaError("no bundle at \(path)", kind: .refused)
        }
        let bundle: ReplicaBundle
        let seal: String
        do {
            var configuration = Configuration()
            configuration.readonly = true
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            (bundle, seal) = try queue.read { db in
                // Whole pages, as many as the file's header says: SQLite reads a last page cut short as if the
                // missing bytes were zeros, and those may be only the unused end of a page.
                let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
                let pageSize = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 0
                guard size == pages * pageSize else {
                    throw ReplicaError(
                        "\(path) is cut short: \(size) bytes of the \(pages * pageSize) it was written with; nothing "
                            + "was imported", kind: .refused)
                }
                return try Self.load(db, path: path)
            }
        } catch let error as ReplicaError {
            throw error
        } catch {
            throw ReplicaError("\(path) is not a whole PlanSync bundle (\(Self.reason(error)))", kind: .refused)
        }
        guard let signature = Data(base64Encoded: seal),
            bundle.exporterKey.verifies(signature, of: bundle.digest)
        else {
            throw ReplicaError(
                "\(path) was changed or cut short after replica \(bundle.exporter) wrote it (its seal does not "
                    + "verify); nothing was imported", kind: .refused)
        }
        for section in bundle.sections {
            do {
                _ = try section.signed.verifiedPush(key: section.key)
            } catch {
                throw ReplicaError("\(path): \(error); nothing was imported", kind: .refused)
            }
        }
        return bundle
    }

    private static func load(_ db: Database, path: String) throws -> (ReplicaBundle, seal: String) {
        let header = Dictionary(
            try Row.fetchAll(db, sql: "SELECT key, value FROM bundle").map { ($0[0] as String, $0[1] as String) },
            uniquingKeysWith: { first, _ in first })
        guard header["format"] == format else {
            throw ReplicaError("\(path) is not a PlanSync bundle", kind: .refused)
        }
        guard header["version"] == String(version) else {
            throw ReplicaError(
                "\(path) is a bundle of version \(header["version"] ?? "?"); this plansync reads version \(version)",
                kind: .refused)
        }
        func value(_ name: String) throws -> String {
            guard let value = header[name] else {
                throw ReplicaError("\(path) is not a whole PlanSync bundle (no \(name))", kind: .refused)
            }
            return value
        }
        guard let exporter = ReplicaID(validating: try value("exporter")), let key = ReplicaKey(try value("key")),
            let server = ReplicaID(validating: try value("server")), let count = Int(try value("sections"))
        else { throw ReplicaError("\(path) is not a whole PlanSync bundle (a bad header)", kind: .refused) }
        var sections: [Section] = []
        for row in try Row.fetchAll(db, sql: "SELECT signer, key, payload, signature FROM section ORDER BY position") {
            guard let signer = ReplicaID(validating: row[0]), let sectionKey = ReplicaKey(row[1]) else {
                throw ReplicaError("\(path) is not a whole PlanSync bundle (a bad section)", kind: .refused)
            }
            let payload: Data = row[2]
            sections.append(
                Section(SignedSection(signer: signer, payload: [UInt8](payload), signature: row[3]), key: sectionKey))
        }
        guard sections.count == count else {
            throw ReplicaError(
                "\(path) is cut short: it should hold \(count) sections and holds \(sections.count); nothing was "
                    + "imported", kind: .refused)
        }
        var frontier: [String: VersionVector] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT record_id, context FROM frontier") {
            guard let context = Self.context(row[1]) else {
                throw ReplicaError("\(path) is not a whole PlanSync bundle (a bad context)", kind: .refused)
            }
            frontier[row[0]] = context
        }
        let bundle = ReplicaBundle(
            exporter: exporter, exporterKey: key, server: server, created: try value("created"), sections: sections,
            frontier: frontier)
        return (bundle, try value("seal"))
    }

    /// A context as stored in a bundle: the core's canonical text of a version vector (the seal signs it).
    static func text(_ context: VersionVector) -> String {
        RecordJSON.string(context)
    }

    static func context(_ text: String) -> VersionVector? {
        try? RecordJSON.versionVector(text)
    }

    private static func reason(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? "\(error.resultCode)" }
        return "\(error)"
    }
}
