import Foundation
import GRDB
import Logging
import PlanSyncCore
import PlanSyncServer
import PlanSyncWorkflows
import PlanSyncTestSupport
import Testing

/// `plansync-server compact` with the real binaries, on both stores: it removes the contents of deleted records
/// once every replica synced within the horizon has pulled them, changes nothing any replica shows of live
/// records, and a replica away past the horizon is told, keeps its edits and agrees with the others
/// (docs/PROTOCOL.md, "Compaction and the retention horizon").
@Suite("Compaction", .serialized)
struct CompactionTests {
    static let plan = "iasc-protection-policy"
    /// A key activity (deleted with its related activities) and a related activity of another one.
    static let deletedActivity = "\(plan)/A.2"
    static let deletedRelated = "\(plan)/A.1/2"
    static let kept = "\(plan)/A.1/1"

    /// `plansync-server compact` on the cluster's store.
    static func compact(_ cluster: Cluster, _ arguments: String...) throws -> CommandResult {
        try run("plansync-server", ["compact"] + cluster.server.storage + arguments)
    }

    /// Bytes of stored record JSON: the records' rows and their pieces in the feed of stores.
    static func storedBytes(_ cluster: Cluster) throws -> Int {
        let query = """
            SELECT (SELECT sum(length(CAST(state AS BLOB))) FROM record)
                + (SELECT coalesce(sum(length(CAST(json AS BLOB))), 0) FROM record_store)
            """
        if let database = cluster.database {
            let postgres = query.replacingOccurrences(of: "length(CAST(state AS BLOB))", with: "octet_length(state)")
                .replacingOccurrences(of: "length(CAST(json AS BLOB))", with: "octet_length(json)")
            return Int(try database.value(postgres)) ?? 0
        }
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: cluster.server.data + "/plansync.sqlite", configuration: configuration)
        return try queue.read { db in try Int.fetchOne(db, sql: query) ?? 0 }
    }

    /// The records of a `dump --json`, by id.
    static func records(_ dump: String) throws -> [String: [String: Any]] {
        let records = (try json(dump) as! [String: Any])["records"] as! [[String: Any]]
        return Dictionary(uniqueKeysWithValues: records.map { ($0["id"] as! String, $0) })
    }

    /// The number after `prefix` in `line` (`removed the contents of 7 deleted record(s)` → 7).
    static func number(after prefix: String, in line: String) -> Double? {
        guard let range = line.range(of: prefix) else { return nil }
        return Double(line[range.upperBound...].prefix { $0.isNumber || $0 == "." })
    }

    /// Waits until a replica's next sync is noted with its cursor (`ServerMetrics.noteInterval` after its last).
    static func pastTheNoteInterval() {
        Thread.sleep(forTimeInterval: Double(ServerMetrics.noteInterval) / 1000 + 0.5)
    }

    /// Syncs `replica` (its pushes, and a pull past them), waits past the note interval, and syncs it again: that
    /// pull is noted with a cursor past everything the replica had written and pulled, which compaction waits for.
    static func syncNoted(_ cluster: Cluster, _ replica: String) throws {
        try cluster.sync(replica)
        pastTheNoteInterval()
        try cluster.sync(replica)
    }

    @Test(arguments: ServerStore.available)
    func neitherTheDeskNorARevokedTokensReplicaHoldsCompactionBack(store: ServerStore) async throws {
        let cluster = try Cluster(store: store)
        let central = try cluster.replica("central")
        try cluster.sync(central)
        // The desk writes through its own replica id, which never pulls.
        let desk = ServerDesk(store: try await cluster.openStore(), logger: .quiet)
        let amina = try await desk.workspace(for: Principal(name: "amina", role: .admin))
        try await amina.save([(Self.kept, .set(field: "comment", value: "Written at the desk"))])
        try expectSuccess(cluster.plansync(central, "delete", Self.deletedRelated))
        try Self.syncNoted(cluster, central)
        let afterDesk = try Self.compact(cluster)
        try expectSuccess(afterDesk)
        #expect(afterDesk.stdout.hasPrefix("removed the contents of 1 deleted record(s)"), "\(afterDesk)")

        // A replica that never pulls the next delete, then its token is revoked: it can no longer sync.
        let gone = try cluster.replica("gone")
        try cluster.sync(gone)
        try expectSuccess(cluster.plansync(central, "delete", Self.deletedActivity))
        try cluster.sync(central)
        try expectSuccess(run("plansync-server", ["token", "revoke"] + cluster.server.storage + ["--name", "gone"]))
        Self.pastTheNoteInterval()
        try cluster.sync(central)
        let afterRevoke = try Self.compact(cluster)
        try expectSuccess(afterRevoke)
        #expect(afterRevoke.stdout.hasPrefix("removed the contents of 7 deleted record(s)"), "\(afterRevoke)")
        #expect(!afterRevoke.stdout.contains("away past the horizon"), "\(afterRevoke)")
    }

    @Test(arguments: ServerStore.available)
    func aPullFromBeyondTheLatestChangeCountsAsPullingUpToItOnly(store: ServerStore) async throws {
        let cluster = try Cluster(store: store)
        let central = try cluster.replica("central")
        try cluster.sync(central)
        let token = try cluster.server.token(name: "raw", role: "admin")
        let raw = RawHTTP(base: cluster.server.url)
        let latest = try await raw.latest(token: token)
        let huge = try await raw.send(.GET, "/v1/pull?since=9223372036854775808&replica=raw-1", token: token)
        #expect(huge.status == 200, "\(huge)")

        // raw-1 has pulled nothing since: the delete must wait for it.
        try expectSuccess(cluster.plansync(central, "delete", Self.deletedRelated))
        try Self.syncNoted(cluster, central)
        let waiting = try Self.compact(cluster)
        try expectSuccess(waiting)
        #expect(waiting.stdout.hasPrefix("removed the contents of 0 deleted record(s)"), "\(waiting)")
        #expect(waiting.stdout.contains("had pulled up to change \(latest)\n"), "\(waiting)")

        let now = try await raw.latest(token: token)
        #expect(try await raw.send(.GET, "/v1/pull?since=\(now)&replica=raw-1", token: token).status == 200)
        let pulled = try Self.compact(cluster)
        #expect(pulled.stdout.hasPrefix("removed the contents of 1 deleted record(s)"), "\(pulled)")
    }

    @Test(arguments: ServerStore.available)
    func compactionRemovesWhatEveryActiveReplicaHasSeenAndChangesNoLiveRecord(store: ServerStore) throws {
        let cluster = try Cluster(store: store)
        let central = try cluster.replica("central")
        let amman = try cluster.replica("amman")
        let office = try cluster.replica("afg", role: "office", office: "AFG")
        let report = "\(Self.plan)/A.1/report/AFG/2017-Q1"
        try cluster.sync(central)
        try expectSuccess(
            cluster.plansync(
                central, "report", "add", "--activity", "\(Self.plan)/A.1", "--office", "AFG", "--period", "2017-Q1",
                "--status", "on-track"))
        for replica in [central, amman, office] { try cluster.sync(replica) }
        try expectSuccess(cluster.plansync(central, "delete", Self.deletedActivity))
        try expectSuccess(cluster.plansync(central, "delete", Self.deletedRelated))
        try expectSuccess(cluster.plansync(central, "delete", report))
        try cluster.sync(central)

        // Amman has not pulled the deletes: nothing may go yet.
        let early = try Self.compact(cluster, "--dry-run")
        try expectSuccess(early)
        #expect(early.stdout.hasPrefix("would remove the contents of 0 deleted record(s)"), "\(early)")

        for replica in [amman, office, central, amman, office] { try cluster.sync(replica) }
        Self.pastTheNoteInterval()
        for replica in [amman, office, central] { try cluster.sync(replica) }
        let officeBefore = try cluster.dump(office)
        let before = try Self.storedBytes(cluster)
        let dumps = try [central, amman].map { try cluster.dump($0) }
        #expect(dumps[0] == dumps[1])
        let deleted = try Self.records(dumps[0]).filter { $0.value["deleted"] as! Bool }.map(\.key)
        #expect(deleted.count == 9, "\(deleted)")

        let dry = try Self.compact(cluster, "--dry-run", "--horizon", "30d")
        try expectSuccess(dry)
        #expect(dry.stdout.hasPrefix("would remove the contents of \(deleted.count) deleted record(s)"), "\(dry)")
        #expect(try Self.storedBytes(cluster) == before, "a dry run changed the store")

        let real = try Self.compact(cluster)
        try expectSuccess(real)
        #expect(real.stdout.split(separator: "\n").count == 1, "\(real)")
        #expect(real.stdout.hasPrefix("removed the contents of \(deleted.count) deleted record(s)"), "\(real)")
        #expect(
            real.stdout.components(separatedBy: "the contents of").last
                == dry.stdout.components(separatedBy: "the contents of").last, "the dry run and the run disagree")
        let after = try Self.storedBytes(cluster)
        let kib = try #require(Self.number(after: "entries, ", in: real.stdout))
        #expect(after < before)
        #expect(abs(Double(before - after) / 1024 - kib) <= 0.05, "said \(kib) KiB, removed \(before - after) bytes")
        let again = try Self.compact(cluster)
        #expect(again.stdout.hasPrefix("removed the contents of 0 deleted record(s)"), "\(again)")

        // Every replica's live records are as they were; the deleted ones stay deleted, without contents. The
        // deleted report stays in its office's scope.
        for replica in [central, amman] { try cluster.sync(replica) }
        let officeSync = try cluster.plansync(office, "sync")
        try expectSuccess(officeSync)
        #expect(!officeSync.stdout.contains("left this replica's scope"), "\(officeSync)")
        let officeRecords = try Self.records(cluster.dump(office))
        #expect(Set(officeRecords.keys) == Set(try Self.records(officeBefore).keys))
        #expect(officeRecords[report]?["deleted"] as? Bool == true, "\(officeRecords[report] ?? [:])")
        let fresh = try cluster.replica("fresh")
        try cluster.sync(fresh)
        let compacted = try [central, amman, fresh].map { try cluster.dump($0) }
        #expect(Set(compacted).count == 1, "replicas disagree after compaction")
        let old = try Self.records(dumps[0])
        let new = try Self.records(compacted[0])
        #expect(Set(old.keys) == Set(new.keys))
        for (id, record) in old where !(record["deleted"] as! Bool) {
            #expect(NSDictionary(dictionary: record) == NSDictionary(dictionary: new[id]!), "\(id) changed")
        }
        for id in deleted {
            #expect(new[id]!["deleted"] as! Bool, "\(id) came back")
            let kept = Set((new[id]!["fields"] as! [String: Any]).keys)
            #expect(kept == (id == report ? ["office"] : []), "\(id) kept its contents")
        }
    }

    @Test(arguments: ServerStore.available)
    func aReplicaAwayPastTheHorizonIsToldKeepsItsEditsAndAgrees(store: ServerStore) async throws {
        let cluster = try Cluster(store: store)
        let central = try cluster.replica("central")
        let other = try cluster.replica("other")
        let field = try cluster.replica("field")
        for replica in [central, other, field] { try cluster.sync(replica) }
        // The field office edits offline, one edit on a record the centre is about to delete, then goes away.
        try expectSuccess(cluster.plansync(field, "set", Self.kept, "comment", "kept while away"))
        try expectSuccess(cluster.plansync(field, "set", Self.deletedRelated, "comment", "edited while away"))
        try await Task.sleep(for: .seconds(12))

        try expectSuccess(cluster.plansync(central, "delete", Self.deletedRelated))
        try expectSuccess(cluster.plansync(central, "delete", Self.deletedActivity))
        for replica in [central, other, central, other] { try cluster.sync(replica) }
        Self.pastTheNoteInterval()
        for replica in [central, other] { try cluster.sync(replica) }
        let compaction = try Self.compact(cluster, "--horizon", "8s")
        try expectSuccess(compaction)
        #expect(compaction.stdout.contains("1 replica(s) away past the horizon not waited for"), "\(compaction)")
        let removed = try #require(Self.number(after: "removed the contents of ", in: compaction.stdout))
        #expect(removed >= 3, "\(compaction)")

        // A pull of the field replica's that read no mark before the compaction set it, noted after: the mark
        // stays, to be told at its next pull.
        let opened = try await cluster.openStore()
        let activity = try await opened.syncActivity()
        let fieldID = try #require(activity.first { $0.principal.name == "field" }?.replicas.first?.id)
        let mark = try #require(try await opened.awaySince(replica: fieldID))
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        try await opened.noteSync(replica: fieldID, at: now, pulled: 0, told: nil)
        #expect(try await opened.awaySince(replica: fieldID) == mark)

        let back = try cluster.plansync(field, "sync")
        try expectSuccess(back)
        let notice = back.stderr.split(separator: "\n").filter { $0.contains("last synced on") }
        #expect(notice.count == 1, "\(back)")
        #expect(notice.first?.hasPrefix("plansync: this replica last synced on ") == true, "\(back)")
        let later = try cluster.plansync(field, "sync")
        try expectSuccess(later)
        #expect(!later.stderr.contains("last synced on"), "told twice: \(later)")
        #expect(try await opened.awaySince(replica: fieldID) == nil, "the mark told stayed")
        for _ in 0..<2 { for replica in [central, other, field] { try cluster.sync(replica) } }
        let fresh = try cluster.replica("fresh")
        try cluster.sync(fresh)

        let dumps = try [central, other, field, fresh].map { try cluster.dump($0) }
        #expect(Set(dumps).count == 1, "replicas disagree after the absent replica came back")
        let records = try Self.records(dumps[0])
        let kept = try #require(records[Self.kept])
        #expect((kept["fields"] as! [String: Any])["comment"] as? String == "kept while away")
        // Its edit of a deleted record brought that record back (update beats delete), with its edit only.
        let revived = try #require(records[Self.deletedRelated])
        #expect(!(revived["deleted"] as! Bool), "the absent replica's edit was lost")
        #expect((revived["fields"] as! [String: Any])["comment"] as? String == "edited while away")
        #expect((revived["fields"] as! [String: Any])["title"] == nil, "compacted contents came back")
        // What it did not edit stays deleted.
        let untouched = records.filter {
            $0.key == Self.deletedActivity || $0.key.hasPrefix(Self.deletedActivity + "/")
        }
        #expect(untouched.count == 7, "\(untouched.keys.sorted())")
        for (id, record) in untouched {
            #expect(record["deleted"] as! Bool, "\(id) came back")
            #expect((record["fields"] as! [String: Any]).isEmpty, "\(id) came back with contents")
        }
        #expect(try cluster.plansync(field, "status").stdout.contains("queued records: 0"))
    }

    @Test func serveCompactsOnItsSchedule() throws {
        let cluster = try Cluster(
            serverArguments: ["--compact-every", "1s", "--horizon", "30d"], serverLog: "server.log")
        let central = try cluster.replica("central")
        try cluster.sync(central)
        try expectSuccess(cluster.plansync(central, "delete", Self.deletedRelated))
        try cluster.sync(central)
        try Self.syncNoted(cluster, central)
        var pending = try Self.compact(cluster, "--dry-run").stdout
        let deadline = Date().addingTimeInterval(20)
        while !pending.hasPrefix("would remove the contents of 0 "), Date() < deadline {
            Thread.sleep(forTimeInterval: 0.5)
            pending = try Self.compact(cluster, "--dry-run").stdout
        }
        #expect(pending.hasPrefix("would remove the contents of 0 "), "the schedule did not compact: \(pending)")
        try cluster.sync(central)
        let record = try #require(try Self.records(cluster.dump(central))[Self.deletedRelated])
        #expect(record["deleted"] as! Bool && (record["fields"] as! [String: Any]).isEmpty, "\(record)")
        let log = try String(contentsOfFile: cluster.directory.file("server.log"), encoding: .utf8)
        #expect(log.contains("compacted"), "\(log)")
    }

    @Test func aBadHorizonOrScheduleIsRefusedInOneLineAndChangesNothing() throws {
        let cluster = try Cluster()
        let central = try cluster.replica("central")
        try cluster.sync(central)
        try expectSuccess(cluster.plansync(central, "delete", Self.deletedRelated))
        try cluster.sync(central)
        try Self.syncNoted(cluster, central)
        let before = try Self.storedBytes(cluster)
        for horizon in ["ten days", "0d", "180", "-3d", "2w"] {
            let result = try Self.compact(cluster, "--horizon=\(horizon)")
            #expect(result.status == 64, "\(horizon): \(result)")
            #expect(
                result.stderr
                    == "plansync-server: --horizon must be a whole number followed by d, h, m or s (e.g. 180d "
                    + "or 12h), not '\(horizon)'\n", "\(result)")
            #expect(result.stdout.isEmpty)
        }
        #expect(try Self.storedBytes(cluster) == before, "a refused compaction changed the store")
        let serve = try run(
            "plansync-server",
            ["serve", "--data", cluster.directory.file("other"), "--port", "0", "--compact-every", "soon"])
        #expect(serve.status == 78, "\(serve)")
        #expect(
            serve.stderr == "plansync-server: compaction.every must be a whole number followed by d, h, m or s "
                + "(e.g. 180d or 12h), not 'soon' (or off)\n", "\(serve)")
        let fromEnvironment = try run(
            "plansync-server", ["serve", "--data", cluster.directory.file("other"), "--port", "0"],
            environment: ["PLANSYNC_COMPACTION_HORIZON": "half a year"])
        #expect(fromEnvironment.status == 78, "\(fromEnvironment)")
        #expect(
            fromEnvironment.stderr == "plansync-server: compaction.horizon must be a whole number followed by d, h, m "
                + "or s (e.g. 180d or 12h), not 'half a year'\n", "\(fromEnvironment)")
        let compacted = try Self.compact(cluster)
        #expect(compacted.stdout.hasPrefix("removed the contents of 1 deleted record(s)"), "\(compacted)")
    }

    @Test func aHorizonShorterThanTheNoteIntervalOrTheScheduleIsRefusedAndChangesNothing() throws {
        let cluster = try Cluster()
        let central = try cluster.replica("central")
        try cluster.sync(central)
        try expectSuccess(cluster.plansync(central, "delete", Self.deletedRelated))
        try Self.syncNoted(cluster, central)
        let before = try Self.storedBytes(cluster)
        for horizon in ["1s", "4s"] {
            let result = try Self.compact(cluster, "--horizon", horizon)
            #expect(result.status == 64, "\(horizon): \(result)")
            #expect(
                result.stderr
                    == "plansync-server: --horizon must be at least 5s, how often a replica's sync is noted, not "
                    + "'\(horizon)'\n", "\(result)")
            #expect(result.stdout.isEmpty)
        }
        #expect(try Self.storedBytes(cluster) == before, "a refused compaction changed the store")

        let data = cluster.directory.file("other")
        let short = try run("plansync-server", ["serve", "--data", data, "--port", "0", "--horizon", "2s"])
        #expect(short.status == 78, "\(short)")
        #expect(
            short.stderr == "plansync-server: compaction.horizon must be at least 5s, how often a replica's sync is "
                + "noted, not '2s'\n", "\(short)")
        let sooner = try run(
            "plansync-server", ["serve", "--data", data, "--port", "0", "--compact-every", "2h", "--horizon", "90m"])
        #expect(sooner.status == 78, "\(sooner)")
        #expect(
            sooner.stderr == "plansync-server: compaction.horizon must be no shorter than compaction.every (2h), "
                + "not '90m'\n", "\(sooner)")
        #expect(!FileManager.default.fileExists(atPath: data), "a refused serve made a data folder")
        let compacted = try Self.compact(cluster, "--horizon", "5s")
        #expect(compacted.stdout.hasPrefix("removed the contents of 1 deleted record(s)"), "\(compacted)")
    }
}
