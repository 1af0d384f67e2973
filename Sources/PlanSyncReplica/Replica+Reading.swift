import GRDB
import PlanSyncCore

/// A record as listings show it, read from the columns kept beside its state: no JSON is decoded.
public struct RecordSummary: Sendable, Hashable {
    public let id: String
    public let collection: String
    /// `RecordState.title()`.
    public let title: String
    /// `RecordState.isDeleted`.
    public let deleted: Bool
}

extension Replica {
    /// Every record's id, collection, title and whether it is deleted, sorted by id; only those whose id is
    /// `prefix` or starts with `prefix/` when a prefix is given.
    public func summaries(prefix: String? = nil) async throws -> [RecordSummary] {
        try await pool.read { db in
            let (filter, arguments) = Self.idFilter(prefix)
            let rows = try Row.fetchCursor(
                db, sql: "SELECT id, collection, title, deleted FROM record \(filter) ORDER BY id",
                arguments: arguments)
            var summaries: [RecordSummary] = []
            while let row = try rows.next() {
                summaries.append(RecordSummary(id: row[0], collection: row[1], title: row[2], deleted: row[3]))
            }
            return summaries
        }
    }

    /// Each record's plan and translation tallies (`RecordState.translationTallies`), read from the column
    /// kept beside its state; records with no translation unit are left out. Only `prefix`'s records when a
    /// prefix is given.
    public func translationTallies(prefix: String? = nil) async throws
        -> [(plan: String, tallies: [String: TranslationTally])]
    {
        try await pool.read { db in
            let (filter, arguments) = Self.idFilter(prefix)
            let rows = try Row.fetchCursor(
                db,
                sql:
                    "SELECT id, coverage FROM record \(filter.isEmpty ? "WHERE" : filter + " AND") coverage IS NOT NULL",
                arguments: arguments)
            var tallies: [(plan: String, tallies: [String: TranslationTally])] = []
            while let row = try rows.next() {
                let id: String = row[0]
                let column: String = row[1]
                guard let decoded = CoverageColumn.decode(column) else {
                    throw ReplicaError("the translation coverage kept for \(id) is unreadable: \(column)")
                }
                tallies.append((plan: RecordID.plan(of: id), tallies: decoded))
            }
            return tallies
        }
    }

    /// The records of `collections`, sorted by id; the others are never decoded.
    public func records(in collections: [String]) async throws -> [RecordState] {
        guard !collections.isEmpty else { return [] }
        return try await pool.read { db in
            let marks = Array(repeating: "?", count: collections.count).joined(separator: ", ")
            return try String.fetchAll(
                db, sql: "SELECT state FROM record WHERE collection IN (\(marks)) ORDER BY id",
                arguments: StatementArguments(collections)
            ).map(Self.decode)
        }
    }

    /// The records with these ids that exist, sorted by id.
    public func records(ids: some Collection<String>) async throws -> [RecordState] {
        let ids = Array(Set(ids))
        return try await pool.read { db in
            try ids.compactMap { try Self.fetchState($0, in: db) }.sorted { $0.id < $1.id }
        }
    }

    /// The records of `collection` whose field `field` has a candidate (any, not only the provisional one)
    /// with one of `values`, sorted by id: a superset of those whose value is one of them, found by SQLite
    /// in the stored JSON so that the others are never decoded.
    public func records(in collection: String, whereAnyCandidateOf field: String, isIn values: Set<String>)
        async throws -> [RecordState]
    {
        guard !values.isEmpty else { return [] }
        return try await pool.read { db in
            let marks = Array(repeating: "?", count: values.count).joined(separator: ", ")
            return try String.fetchAll(
                db,
                sql: """
                    SELECT state FROM record WHERE collection = ? AND EXISTS (
                        SELECT 1 FROM json_each(record.state, ?) AS candidate
                        WHERE json_extract(candidate.value, '$.v') IN (\(marks)))
                    ORDER BY id
                    """,
                arguments: StatementArguments([collection, "$.fields.\"\(field)\""] + Array(values))
            ).map(Self.decode)
        }
    }

    /// `WHERE …` for the records whose id is `prefix` or starts with `prefix/`, or nothing.
    static func idFilter(_ prefix: String?) -> (String, StatementArguments) {
        guard let prefix else { return ("", []) }
        return ("WHERE (id = ? OR (id >= ? AND id < ?))", [prefix, prefix + "/", prefix + "0"])
    }
}

/// The `coverage` column: a record's translation tallies as JSON, `{"ar":[units,translated,approved,draft,
/// stale,missing],…}`, readable with `json_extract`; NULL for a record with no translation unit.
enum CoverageColumn {
    static func encode(_ tallies: [String: TranslationTally]) -> String? {
        guard !tallies.isEmpty else { return nil }
        let members = tallies.keys.sorted().map { language in
            let tally = tallies[language]!
            let counts = [tally.units, tally.translated, tally.approved, tally.draft, tally.stale, tally.missing]
            return "\"\(language)\":[\(counts.map(String.init).joined(separator: ","))]"
        }
        return "{\(members.joined(separator: ","))}"
    }

    static func decode(_ text: String) -> [String: TranslationTally]? {
        // Written only by `encode`: `{`, then `"xx":[n,n,n,n,n,n]` separated by `,`, then `}`. Read byte by
        // byte: `translations status` reads one per record.
        var tallies: [String: TranslationTally] = [:]
        let bytes = Array(text.utf8)
        var index = 0
        func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }
        func number() -> Int? {
            var value = 0
            let start = index
            while index < bytes.count, (0x30...0x39).contains(bytes[index]) {
                value = value * 10 + Int(bytes[index] - 0x30)
                index += 1
            }
            return index > start ? value : nil
        }
        guard take(UInt8(ascii: "{")) else { return nil }
        while !take(UInt8(ascii: "}")) {
            guard tallies.isEmpty || take(UInt8(ascii: ",")), take(UInt8(ascii: "\"")) else { return nil }
            let start = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "\"") { index += 1 }
            let language = String(decoding: bytes[start..<index], as: UTF8.self)
            guard take(UInt8(ascii: "\"")), take(UInt8(ascii: ":")), take(UInt8(ascii: "[")) else { return nil }
            var counts: [Int] = []
            repeat {
                guard let count = number() else { return nil }
                counts.append(count)
            } while take(UInt8(ascii: ","))
            guard take(UInt8(ascii: "]")), counts.count == 6 else { return nil }
            tallies[language] = TranslationTally(
                units: counts[0], translated: counts[1], approved: counts[2], draft: counts[3], stale: counts[4],
                missing: counts[5])
        }
        return index == bytes.count ? tallies : nil
    }
}
