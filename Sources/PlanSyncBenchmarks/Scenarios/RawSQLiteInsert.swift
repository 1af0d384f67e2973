import Foundation
import GRDB

/// The initial sync's baseline: the rows a replica ends up holding, inserted into a fresh SQLite file in one
/// transaction with one prepared statement — the least work that leaves the same data on disk.
enum RawSQLiteInsert {
    struct Row: Sendable {
        var id: String
        var collection: String
        var state: String
    }

    /// The rows of a replica file: each record's id, collection and JSON state.
    static func rows(of replica: String) throws -> [Row] {
        var configuration = Configuration()
        configuration.readonly = true
        let database = try DatabaseQueue(path: replica, configuration: configuration)
        return try database.read { db in
            try GRDB.Row.fetchAll(db, sql: "SELECT id, collection, state FROM record ORDER BY rowid").map {
                Row(id: $0[0], collection: $0[1], state: $0[2])
            }
        }
    }

    /// Inserts `rows` into a new file at `path` (WAL, like a replica) and returns the seconds it took,
    /// opening the file and creating the table included.
    static func insert(_ rows: [Row], into path: String) throws -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        let database = try DatabasePool(path: path)
        try database.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE record (
                        id TEXT PRIMARY KEY NOT NULL,
                        collection TEXT NOT NULL,
                        state TEXT NOT NULL
                    ) STRICT
                    """)
            let statement = try db.makeStatement(sql: "INSERT INTO record(id, collection, state) VALUES (?, ?, ?)")
            for row in rows {
                try statement.execute(arguments: [row.id, row.collection, row.state])
            }
        }
        return (clock.now - start).seconds
    }
}
