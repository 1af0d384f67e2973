import Foundation
import Logging
import PostgresNIO

/// Backups of a PostgreSQL store are `pg_dump`'s plain SQL, taken in one snapshot while the instances run, and
/// restored with `psql` into an empty database.
extension PostgresSyncStore {
    /// Writes the database to `path` with `pg_dump`, in a snapshot shared with the summary it returns.
    public static func backup(url: DatabaseURL, to path: String) async throws -> SQLiteSyncStore.BackupSummary {
        guard !FileManager.default.fileExists(atPath: path) else { throw StoreError.backup("\(path) already exists") }
        let logger = Logger(label: "plansync-server", factory: { _ in SwiftLogNoOpLogHandler() })
        do {
            let connection = try await PostgresConnection.connect(
                configuration: url.connectionConfiguration, id: 0, logger: logger)
            defer { Task { try? await connection.close() } }
            try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
            guard
                try await connection.query("SELECT to_regclass('schema_version') IS NOT NULL", logger: logger)
                    .collect().first?.decode(Bool.self) == true
            else { throw StoreError.backup("\(url) holds no PlanSync data") }
            let snapshot =
                try await connection.query("SELECT pg_export_snapshot()", logger: logger).collect()
                .first?.decode(String.self) ?? ""
            let summary = try await Self.summary(connection, logger: logger)
            let dump = try run(
                "pg_dump", ["--no-owner", "--no-privileges", "--snapshot=\(snapshot)", "--file=\(path)", url.text])
            guard dump.status == 0 else {
                try? FileManager.default.removeItem(atPath: path)
                throw StoreError.backup("pg_dump failed: \(dump.stderr)")
            }
            try await connection.query("COMMIT", logger: logger)
            return summary
        } catch {
            throw StoreError.describing(error, at: url)
        }
    }

    /// Loads the `pg_dump` at `path` into the empty database at `url` (the instances stopped), in one
    /// transaction. The restored data keeps its epochs; those open when the backup was taken are ended where it
    /// ends, so replicas that saw more notice at their next sync.
    public static func restore(url: DatabaseURL, from path: String) async throws -> SQLiteSyncStore.BackupSummary {
        guard let file = FileManager.default.contents(atPath: path) else {
            throw StoreError.backup("\(path): no such file")
        }
        guard file.starts(with: Data("--\n-- PostgreSQL database dump".utf8)),
            file.range(of: Data("CREATE TABLE public.schema_version".utf8)) != nil
        else { throw StoreError.backup("\(path) is not a PlanSync server backup (pg_dump of its database)") }
        let logger = Logger(label: "plansync-server", factory: { _ in SwiftLogNoOpLogHandler() })
        do {
            let connection = try await PostgresConnection.connect(
                configuration: url.connectionConfiguration, id: 0, logger: logger)
            defer { Task { try? await connection.close() } }
            guard
                try await connection.query("SELECT to_regclass('schema_version') IS NULL", logger: logger)
                    .collect().first?.decode(Bool.self) == true
            else {
                throw StoreError.backup("\(url) already holds PlanSync data: restore into a new, empty database")
            }
            let load = try run(
                "psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-f", path, url.text])
            guard load.status == 0 else { throw StoreError.backup("psql could not load \(path): \(load.stderr)") }
            try await connection.withTransaction(logger: logger) { connection in
                try await endOpenEpochs(connection, logger: logger)
            }
            return try await summary(connection, logger: logger)
        } catch {
            throw StoreError.describing(error, at: url)
        }
    }

    private static func summary(_ connection: PostgresConnection, logger: Logger) async throws
        -> SQLiteSyncStore.BackupSummary
    {
        let (records, seq) =
            try await connection.query(
                "SELECT count(*), coalesce(max(seq), 0) FROM record", logger: logger
            ).collect().first?.decode((Int, Int64).self) ?? (0, Int64(0))
        return SQLiteSyncStore.BackupSummary(records: records, seq: UInt64(seq))
    }

    /// Runs a PostgreSQL client tool from the PATH to completion.
    private static func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        // The pipe outlives the child (Foundation keeps it), so its read end is closed here.
        try? errors.fileHandleForReading.close()
        process.waitUntilExit()
        let line = text.split(separator: "\n").first.map(String.init) ?? "exit \(process.terminationStatus)"
        return (process.terminationStatus, line)
    }
}
