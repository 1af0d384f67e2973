import GRDB
import PlanSyncCore

/// The replica's tables. The file is a plain SQLite database: `record.state` is the record's JSON, readable
/// with `json_extract`, and `record.title`/`deleted` are kept beside it for people browsing with `sqlite3`.
enum ReplicaSchema {
    static func migrator(schema: Schema) -> DatabaseMigrator {
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
        migrator.registerMigration("v3-decisions") { db in
            // How many decisions each record waits on (RecordState.openDecisions), kept by every store so
            // the end of a sync sums a column instead of decoding every record.
            try db.execute(sql: "ALTER TABLE record ADD COLUMN decisions INTEGER NOT NULL DEFAULT 0")
            let states = try String.fetchCursor(db, sql: "SELECT state FROM record")
            var counts: [(String, Int)] = []
            while let json = try states.next() {
                let state = try Replica.decode(json)
                let count = state.openDecisions(schema: schema)
                if count > 0 { counts.append((state.id, count)) }
            }
            for (id, count) in counts {
                try db.execute(sql: "UPDATE record SET decisions = ? WHERE id = ?", arguments: [count, id])
            }
        }
        migrator.registerMigration("v4-base") { db in
            try db.execute(
                sql: """
                    -- For each queued record, the copy last known from the server (NULL for a record created
                    -- here), kept so queued writes can be discarded; `sent` once a push of them went out (the
                    -- server may then hold their dots; on the outbox row since v8). Removed with the record's
                    -- outbox row.
                    CREATE TABLE outbox_base (
                        record_id TEXT PRIMARY KEY NOT NULL,
                        state TEXT,
                        sent INTEGER NOT NULL DEFAULT 0
                    ) STRICT;
                    """)
        }
        migrator.registerMigration("v5-read-columns") { db in
            // Each record's translation tallies (RecordState.translationTallies, NULL with no unit), so that
            // `translations status` sums a column. Listings read `title` and `deleted` without decoding, so
            // they are computed again here with today's schema, whatever version stored the row.
            try db.execute(sql: "ALTER TABLE record ADD COLUMN coverage TEXT")
            let states = try String.fetchCursor(db, sql: "SELECT state FROM record")
            var columns: [(String, String, Bool, String?)] = []
            while let json = try states.next() {
                let state = try Replica.decode(json)
                let coverage = CoverageColumn.encode(state.translationTallies(schema: schema))
                columns.append((state.id, state.title(), state.isDeleted, coverage))
            }
            let update = try db.makeStatement(
                sql: "UPDATE record SET title = ?, deleted = ?, coverage = ? WHERE id = ?")
            for (id, title, deleted, coverage) in columns {
                try update.execute(arguments: [title, deleted, coverage, id])
            }
            // Indexes that cover what `translations status` and `list` read: a row's `state` fills its page (and
            // spills into overflow pages) and comes before `coverage`, so reading either from the table would
            // read every state. Made after the rows are filled in, so that filling them maintains no index.
            try db.execute(
                sql: """
                    CREATE INDEX record_coverage ON record(id, coverage) WHERE coverage IS NOT NULL;
                    CREATE INDEX record_listing ON record(id, collection, title, deleted);
                    """)
        }
        migrator.registerMigration("v6-bundles") { db in
            try db.execute(
                sql: """
                    -- Signed pushes of other replicas that arrived in a bundle (a USB stick, an e-mail), kept to
                    -- relay to the server on the next sync and to pass on in this replica's own bundles. Removed
                    -- once the server took one; `refused` says why it did not.
                    CREATE TABLE carried (
                        position INTEGER PRIMARY KEY,
                        signer TEXT NOT NULL,
                        key TEXT NOT NULL,
                        payload BLOB NOT NULL,
                        signature TEXT NOT NULL UNIQUE,
                        refused TEXT
                    ) STRICT;
                    -- What each peer held when it wrote the last bundle imported from it: each record's context,
                    -- so that `bundle export --since-peer` leaves out what that peer has.
                    CREATE TABLE peer_frontier (
                        peer TEXT NOT NULL,
                        record_id TEXT NOT NULL,
                        context TEXT NOT NULL,
                        PRIMARY KEY (peer, record_id)
                    ) STRICT;
                    """)
        }
        migrator.registerMigration("v7-outbox-stores") { db in
            // The stores local writes changed since the record's base was kept, as a JSON array of store names
            // (`fields.comment`, `translations.fr.title`, `tombstones`): a push reads just those. NULL when not
            // known (queued by an older version, or again after the server's history went back).
            try db.execute(sql: "ALTER TABLE outbox ADD COLUMN stores TEXT")
        }
        migrator.registerMigration("v8-outbox-sent") { db in
            // `sent` moves from the base to the record's outbox row. A base is a whole record (kilobytes, over
            // overflow pages) with `sent` after it, so marking a batch of 500 sent read and rewrote 500 bases; an
            // outbox row is a few dozen bytes, and the batch's rows share a dozen pages.
            try db.execute(
                sql: """
                    ALTER TABLE outbox ADD COLUMN sent INTEGER NOT NULL DEFAULT 0;
                    UPDATE outbox SET sent = 1 WHERE record_id IN (SELECT record_id FROM outbox_base WHERE sent = 1);
                    ALTER TABLE outbox_base DROP COLUMN sent;
                    """)
        }
        migrator.registerMigration("v9-outbox-order") { db in
            // A push reads the queue in revision order, a batch at a time. Without an index SQLite read every
            // queued record, its whole state with it, into a sort for each batch.
            try db.execute(sql: "CREATE INDEX outbox_revision ON outbox(revision)")
        }
        return migrator
    }
}
