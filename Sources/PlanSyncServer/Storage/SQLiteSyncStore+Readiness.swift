import GRDB

extension SQLiteSyncStore {
    /// Reads the database through the pool, then opens the file afresh, read-only: a file removed, moved or
    /// replaced under a running server is found here, though the pool's open descriptors still read the old one.
    public func checkReadable() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM meta") }
        var configuration = Configuration()
        configuration.readonly = true
        let fresh = try DatabaseQueue(path: pool.path, configuration: configuration)
        _ = try await fresh.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM meta") }
        try fresh.close()
    }
}
