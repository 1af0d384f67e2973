import PlanSyncCore
import PlanSyncReports
import Testing

/// `report build` reads only the records its report shows (`ConsolidatedReport.records(for:period:from:)`);
/// on them the build must give exactly the report it gives on every record.
@Suite("Report records")
struct ReportRecordsTests {
    /// Records in memory, answering as a replica's SQL does: the reference lookup returns every record with
    /// any candidate of the field among the values, a superset of those whose value is.
    struct InMemory: ReportRecordSource {
        let records: [RecordState]

        func records(in collections: [String]) async throws -> [RecordState] {
            records.filter { collections.contains($0.collection) }
        }

        func records(ids: some Collection<String>) async throws -> [RecordState] {
            let ids = Set(ids)
            return records.filter { ids.contains($0.id) }
        }

        func records(in collection: String, whereAnyCandidateOf field: String, isIn values: Set<String>)
            async throws -> [RecordState]
        {
            records.filter { record in
                record.collection == collection && (record.fields[field] ?? []).contains { values.contains($0.value) }
            }
        }
    }

    @Test(arguments: ["2017-Q4", "2017", "2017-10", "2018-Q1"])
    func theRecordsReadGiveTheReportEveryRecordGives(period: String) async throws {
        let fixture = try ReportFixture.example()
        let read = try await ConsolidatedReport.records(
            for: ReportFixture.plan, period: period, from: InMemory(records: fixture.records))
        #expect(read.count < fixture.records.count)
        for language in ["en", "fr", "ar"] {
            let whole = try fixture.build(period: period, language: language)
            let subset = try ConsolidatedReport.build(
                records: read, plan: ReportFixture.plan, period: period, language: language)
            #expect(subset == whole)
            for format in ReportFormat.allCases { #expect(subset.rendered(as: format) == whole.rendered(as: format)) }
        }
    }

    @Test func aPlanWithNoReportsReadsNoRelatedActivity() async throws {
        let fixture = try ReportFixture()
        let read = try await ConsolidatedReport.records(
            for: ReportFixture.plan, period: "2017", from: InMemory(records: fixture.records))
        #expect(!read.contains { $0.collection == "related" })
        #expect(read.contains { $0.collection == "activity" })
        let whole = try fixture.build(period: "2017")
        #expect(try ConsolidatedReport.build(records: read, plan: ReportFixture.plan, period: "2017") == whole)
    }

    @Test func anUnknownPlanNamesTheKnownOnesFromTheRecordsRead() async throws {
        let fixture = try ReportFixture()
        let read = try await ConsolidatedReport.records(
            for: "nope", period: "2017", from: InMemory(records: fixture.records))
        #expect(throws: ReportError.self) {
            try ConsolidatedReport.build(records: read, plan: "nope", period: "2017")
        }
        var whole = ""
        var subset = ""
        do { _ = try ConsolidatedReport.build(records: fixture.records, plan: "nope", period: "2017") } catch {
            whole = "\(error)"
        }
        do { _ = try ConsolidatedReport.build(records: read, plan: "nope", period: "2017") } catch {
            subset = "\(error)"
        }
        #expect(!whole.isEmpty && subset == whole)
    }
}
