import GRDB

/// The replica's tables. The file is a plain SQLite database: `record.state` is the record's JSON, readable
/// with `json_extract`, and `record.title`/`deleted` are kept beside it for people browsing with `sqlite3`.
enum ReplicaSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE meta (
                        key TEXT PRIMARY KEY NOT NULL,
                        value TEXT NOT NULL
                    ) STRICT;
                    CREATE TABLE record (
                        id TEXT PRIMARY KEY NOT NULL,
                        collection TEXT NOT NULL,
                        title TEXT NOT NULL,
                        deleted INTEGER NOT NULL,
                        state TEXT NOT NULL
                    ) STRICT;
                    CREATE INDEX record_collection ON record(collection, id);
                    -- One row per record with local writes the server has not acknowledged. `revision` changes
                    -- on every local write, so an acknowledgement of an older push leaves a newer edit queued.
                    CREATE TABLE outbox (
                        record_id TEXT PRIMARY KEY NOT NULL REFERENCES record(id),
                        revision INTEGER NOT NULL,
                        queued_at TEXT NOT NULL
                    ) STRICT;
                    """)
        }
        migrator.registerMigration("v2-scope") { db in
            try db.execute(
                sql: """
                    -- Local edits of records that left this replica's scope before they were pushed (a report
                    -- moved to another office): kept here, with the reason, rather than discarded.
                    CREATE TABLE set_aside (
                        record_id TEXT NOT NULL,
                        state TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        at TEXT NOT NULL
                    ) STRICT;
                    """)
        }
        return migrator
    }
}
