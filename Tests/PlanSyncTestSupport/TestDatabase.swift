import Foundation

/// A PostgreSQL database of its own for one test, created on the server that `PLANSYNC_TEST_DATABASE_URL`
/// names (a role that may create databases; `.ci/start-postgres` makes one) and dropped by `remove()`.
public struct TestDatabase: Sendable {
    /// The URL of the new database.
    public let url: String
    public let name: String
    private let admin: String

    /// The server's URL, when the tests were given one.
    public static var adminURL: String? {
        ProcessInfo.processInfo.environment["PLANSYNC_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether PostgreSQL tests run: they do when a database is given, and always under CI, where a missing
    /// database fails them rather than skipping them.
    public static var enabled: Bool {
        adminURL != nil || ProcessInfo.processInfo.environment["CI"] != nil
    }

    public static let skipReason =
        "PLANSYNC_TEST_DATABASE_URL is not set: run .ci/start-postgres and export the URL it prints"

    public init() throws {
        guard let admin = Self.adminURL else {
            throw CocoaError(
                .featureUnsupported,
                userInfo: [NSLocalizedDescriptionKey: "PLANSYNC_TEST_DATABASE_URL is not set (CI needs PostgreSQL)"])
        }
        self.admin = admin
        name = "plansync_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        guard let base = admin.range(of: "/", options: .backwards) else {
            throw CocoaError(.featureUnsupported, userInfo: [NSLocalizedDescriptionKey: "bad URL \(admin)"])
        }
        url = admin[..<base.lowerBound] + "/" + name
        try Self.sql("CREATE DATABASE \(name)", on: admin)
    }

    /// Drops the database, ending whatever is still connected to it.
    public func remove() {
        _ = try? Self.sql("DROP DATABASE IF EXISTS \(name) WITH (FORCE)", on: admin)
    }

    /// Drops and creates the database again, empty (the instances stopped).
    public func recreate() throws {
        try Self.sql("DROP DATABASE IF EXISTS \(name) WITH (FORCE)", on: admin)
        try Self.sql("CREATE DATABASE \(name)", on: admin)
    }

    /// The first column of the first row of `query` in this database, as text.
    public func value(_ query: String) throws -> String {
        try Self.sql(query, on: url)
    }

    @discardableResult
    static func sql(_ query: String, on url: String) throws -> String {
        let result = try runTool("psql", ["-X", "-qtA", "-v", "ON_ERROR_STOP=1", "-c", query, url])
        guard result.status == 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "psql: \(result.stderr)"])
        }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
