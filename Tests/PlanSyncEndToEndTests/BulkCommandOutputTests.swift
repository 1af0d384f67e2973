import Foundation
import GRDB
import PlanSyncContent
import PlanSyncCore
import PlanSyncReplica
import PlanSyncReports
import PlanSyncTestSupport
import PlanSyncTranslation
import Testing

/// The commands that read a whole replica read columns kept beside the records, stream, or read only what
/// they show; what they print must stay byte for byte what the whole records give through the library.
@Suite("Bulk command outputs", .serialized)
struct BulkCommandOutputTests {
    static let plan = "iasc-protection-policy"

    /// A synced replica with local edits: an English change (stale translations), a new translation, a
    /// conflict, and a deleted record.
    static func replica(in cluster: Cluster) async throws -> String {
        let path = try cluster.replica("central")
        try cluster.sync(path)
        let replica = try Replica.open(at: path)
        let ids = try await replica.records(prefix: plan).filter { $0.collection == "activity" }.map(\.id)
        try #require(ids.count >= 3)
        try await replica.edit(ids[0], .set(field: "title", value: "Brief the HCs \"again\" & <soon>"))
        try await replica.edit(
            ids[1], .translate(field: "title", language: "fr", text: "Nouveau titre", status: .approved))
        try await replica.edit(ids[2], .delete)
        return path
    }

    /// Adds a plan of one section, `activities` + 1 key activities and a related activity under each, made as
    /// `plan import` makes them.
    static func addLargePlan(of activities: Int, to replica: Replica) async throws {
        let header = "section,code,activity,related activity,focal point,time frame,indicators,comment,priority"
        let first = "S1: The only section,S1.0,The first activity,The first follow-up,Coordinator,Q1,,,"
        let rows = (1...activities).map {
            ",S1.\($0),Activity \($0) of the large plan,Follow-up of \($0),Officer,Q\($0 % 4 + 1),,,"
        }
        let csv = ([header, first] + rows).joined(separator: "\n")
        try await replica.create(
            try PlanSpreadsheet.document(csv: csv, plan: "large-plan", title: "A large plan").newRecords)
    }

    /// `list` as it was computed from whole records.
    static func listing(_ records: [RecordState], deleted: Bool = false, collection: String? = nil) -> String {
        let order = Schema.planSync.collections.map(\.name)
        func rank(_ record: RecordState) -> Int {
            PlanOutline.contains(record) ? 0 : order.firstIndex(of: record.collection) ?? order.count
        }
        return records.filter { (deleted || !$0.isDeleted) && (collection == nil || $0.collection == collection) }
            .sorted { (rank($0), $0.id) < (rank($1), $1.id) }
            .map { record in
                let title = record.title().split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
                return "\(record.id)\t\(record.collection)\t\(title)\(record.isDeleted ? " (deleted)" : "")\n"
            }.joined()
    }

    @Test func outputsAreWhatTheWholeRecordsGive() async throws {
        let cluster = try Cluster()
        let path = try await Self.replica(in: cluster)
        let records = try await Replica.open(at: path).records()
        let anyDeleted = records.contains { $0.isDeleted }
        try #require(anyDeleted)

        #expect(try cluster.dump(path) == (try WireJSON.pretty(CanonicalDump(records))))

        #expect(try cluster.plansync(path, "list").stdout == Self.listing(records))
        #expect(try cluster.plansync(path, "list", "--deleted").stdout == Self.listing(records, deleted: true))
        let planRecords = try await Replica.open(at: path).records(prefix: Self.plan)
        #expect(try cluster.plansync(path, "list", "--plan", Self.plan).stdout == Self.listing(planRecords))
        #expect(
            try cluster.plansync(path, "list", "--collection", "material").stdout
                == Self.listing(records, collection: "material"))

        #expect(
            try cluster.plansync(path, "translations", "status", "--json").stdout
                == (try WireJSON.pretty(Coverage.of(records))))
        #expect(
            try cluster.plansync(path, "translations", "status", "--plan", Self.plan, "--lang", "fr", "--json").stdout
                == (try WireJSON.pretty(Coverage.of(planRecords, language: "fr"))))

        for plan in [nil, Self.plan] {
            let file = cluster.directory.file("fr-\(plan ?? "all").xlf")
            let arguments =
                ["xliff", "export", "--lang", "fr", "--output", file] + (plan.map { ["--plan", $0] } ?? [])
            let result = try run("plansync", arguments + ["--replica", path])
            try expectSuccess(result)
            let document = XliffDocument.export(records, language: "fr", plan: plan)
            #expect(try String(contentsOfFile: file, encoding: .utf8) == document.xml)
            let units = document.files.reduce(0) { $0 + $1.units.count }
            #expect(result.stdout.hasPrefix("wrote \(units) unit(s) in \(document.files.count) plan(s) to \(file)\n"))
        }

        for format in ReportFormat.allCases {
            let file = cluster.directory.file("report.\(format.rawValue)")
            try expectSuccess(
                cluster.plansync(
                    path, "report", "build", "--plan", Self.plan, "--period", "2017", "--format", format.rawValue,
                    "--output", file, "--lang", "fr"))
            let report = try ConsolidatedReport.build(records: records, plan: Self.plan, period: "2017", language: "fr")
            #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == Data(report.rendered(as: format).utf8))
        }
    }

    @Test func aFailedExportLeavesNoFileBehind() async throws {
        let cluster = try Cluster()
        let path = try await Self.replica(in: cluster)
        let folder = cluster.directory.file("a-folder")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let result = try cluster.plansync(path, "xliff", "export", "--lang", "fr", "--output", folder)
        #expect(result.status == 73, "\(result)")
        #expect(result.stderr.contains("it is a folder"), "\(result)")
        let left = try FileManager.default.contentsOfDirectory(atPath: cluster.directory.path)
        #expect(!left.contains { $0.hasSuffix(".tmp") }, "\(left)")
    }

    @Test func aReplicaFromBeforeTheCoverageColumnGetsItOnOpening() async throws {
        let cluster = try Cluster()
        let path = try await Self.replica(in: cluster)
        let expected = try cluster.plansync(path, "translations", "status").stdout
        let listed = try cluster.plansync(path, "list", "--deleted").stdout
        // As a replica written by an earlier version: no coverage column, no record of its migration.
        let database = try DatabaseQueue(path: path)
        try await database.write { db in
            try db.execute(sql: "DROP INDEX record_coverage; DROP INDEX record_listing")
            try db.execute(sql: "ALTER TABLE record DROP COLUMN coverage")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v5-read-columns'")
            try db.execute(sql: "UPDATE record SET title = ''")
        }
        try database.close()
        #expect(try cluster.plansync(path, "translations", "status").stdout == expected)
        #expect(try cluster.plansync(path, "list", "--deleted").stdout == listed)
    }

    /// A replica of several batches (`Replica.scan` reads 2,048 records at a time, and transforms one batch
    /// while it reads the next): the dump and the export still print what the whole records give, in order.
    @Test func aReplicaOfManyBatchesPrintsWhatItsRecordsGive() async throws {
        let cluster = try Cluster()
        let path = try await Self.replica(in: cluster)
        let replica = try Replica.open(at: path)
        try await Self.addLargePlan(of: 2_200, to: replica)
        let records = try await replica.records()
        try #require(records.count > 2 * 2_048)

        #expect(try cluster.dump(path) == (try WireJSON.pretty(CanonicalDump(records))))
        let file = cluster.directory.file("large.xlf")
        try expectSuccess(
            try run("plansync", ["xliff", "export", "--lang", "es", "--output", file, "--replica", path]))
        #expect(try String(contentsOfFile: file, encoding: .utf8) == XliffDocument.export(records, language: "es").xml)
    }

    /// A failure in any batch ends the scan with that failure, whichever stage meets it, and leaves the replica
    /// readable: the transform of the third batch, or the fold of the first while the second is transformed.
    @Test func aScanThatFailsMidwayThrowsAndTheReplicaStillReads() async throws {
        struct Stop: Error, Equatable { var at: String }
        let cluster = try Cluster()
        let path = try await Self.replica(in: cluster)
        let replica = try Replica.open(at: path)
        try await Self.addLargePlan(of: 2_200, to: replica)
        let ids = try await replica.records().map(\.id).sorted()
        try #require(ids.count > 2 * 2_048 + 1)

        let inThirdBatch = ids[2 * 2_048 + 1]
        await #expect(throws: Stop(at: inThirdBatch)) {
            try await replica.scan(
                into: 0, transform: { state in if state.id == inThirdBatch { throw Stop(at: state.id) } },
                fold: { count, _ in count += 1 })
        }
        await #expect(throws: Stop(at: "fold")) {
            try await replica.scan(
                into: 0, transform: \.id,
                fold: { count, _ in
                    count += 1
                    if count == 10 { throw Stop(at: "fold") }
                })
        }
        let scanned = try await replica.scan(into: [String](), transform: \.id, fold: { $0.append($1) })
        #expect(scanned == ids)
    }
}
