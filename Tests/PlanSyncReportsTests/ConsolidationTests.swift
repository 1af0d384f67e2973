import PlanSyncCore
import PlanSyncReports
import Testing

@Suite("Consolidating office reports into one plan and period")
struct ConsolidationTests {
    @Test func twoOfficesOnOneActivityBothAppearWithSectionTotals() throws {
        var fixture = try ReportFixture()
        try fixture.report("A.1", office: "AFG", status: "on-track", indicators: ["briefings=2"])
        try fixture.report("A.1", office: "SYR", status: "delayed", narrative: "تأجلت الجلسة.", language: "ar")
        try fixture.report("A.2", office: "AFG", status: "on-track")
        let report = try fixture.build()

        let sectionA = try #require(report.sections.first)
        #expect(sectionA.code == "A")
        let a1 = try #require(sectionA.activities.first?.activity)
        #expect(a1.code == "A.1")
        #expect(a1.reports.map(\.office) == ["AFG", "SYR"])
        #expect(a1.reports.map(\.status) == ["on-track", "delayed"])
        #expect(a1.reports[0].indicators == [IndicatorValue(name: "briefings", values: ["2"])])
        #expect(a1.reports[1].narratives == ["تأجلت الجلسة."] && a1.reports[1].narrativeLanguage == "ar")

        #expect(
            sectionA.totals.rows == [
                StatusTotals.Row(office: "AFG", counts: ["on-track": 2]),
                StatusTotals.Row(office: "SYR", counts: ["delayed": 1]),
            ])
        #expect(sectionA.totals.sum.total == 3)
        #expect(report.sections.dropFirst().allSatisfy { $0.totals.isEmpty })
        #expect(report.totals.rows.map(\.total) == [2, 1])
    }

    @Test func sectionsAndActivitiesFollowThePlanOrder() throws {
        let report = try ReportFixture().build()
        #expect(report.planTitle.text.hasPrefix("Draft IASC - Protection Policy"))
        #expect(report.sections.map(\.code) == ["A", "B", "C", "D"])
        #expect(report.sections[2].activities.map(\.activity.code) == ["C.1", "C.2", "C.3", "C.4"])
        #expect(report.reports.isEmpty && report.offices.isEmpty)
    }

    @Test func relatedActivitiesAreListedUnderTheirKeyActivityAndCounted() throws {
        var fixture = try ReportFixture()
        try fixture.report("A.1/2", office: "CAF", status: "completed")
        let report = try fixture.build()
        let block = try #require(report.sections.first?.activities.first)
        #expect(block.activity.reports.isEmpty)
        #expect(block.related.map(\.code) == ["A.1/2"])
        #expect(block.related.map(\.kind) == [.related])
        #expect(report.sections[0].totals.rows == [StatusTotals.Row(office: "CAF", counts: ["completed": 1])])
    }

    @Test(arguments: ["2017", "2017-10", "2018-Q4"])
    func onlyTheExactPeriodCounts(other: String) throws {
        var fixture = try ReportFixture()
        try fixture.report("A.1", office: "AFG", status: "on-track")
        try fixture.report("A.1", office: "SYR", period: other, status: "delayed")
        #expect(try fixture.build().reports.map(\.office) == ["AFG"])
        #expect(try fixture.build(period: other).reports.map(\.office) == ["SYR"])
    }

    @Test func deletedRecordsAreLeftOut() throws {
        var fixture = try ReportFixture()
        let gone = try fixture.report("A.1", office: "AFG", status: "on-track")
        try fixture.report("A.2", office: "SYR", status: "delayed")
        try fixture.edit(gone, .delete)
        try fixture.edit("\(ReportFixture.plan)/A.2", .delete)
        let report = try fixture.build()
        #expect(report.reports.isEmpty)
        #expect(report.sections[0].activities.map(\.activity.code) == ["A.1"])
    }

    @Test func concurrentNarrativesAndIndicatorValuesAreAllShown() throws {
        var fixture = try ReportFixture()
        let id = try fixture.report(
            "C.1", office: "CAF", status: "delayed", narrative: "Reportée.", language: "fr",
            indicators: ["missions=0"])
        try fixture.concurrently(
            id, .set(field: "narrative", value: "Reportée à janvier."), .set(field: "narrative", value: "Annulée."))
        try fixture.concurrently(
            id, .set(field: "indicators", value: "missions=1"), .set(field: "indicators", value: "missions=2"))
        let office = try #require(fixture.build().reports.first)
        #expect(office.hasNarrativeConflict)
        #expect(Set(office.narratives) == ["Reportée à janvier.", "Annulée."])
        #expect(office.indicators == [IndicatorValue(name: "missions", values: ["1", "2"])])
        #expect(office.indicators[0].isConcurrent)
    }

    @Test func theNarrativeTranslationIsShownInTheReportLanguageAndMarkedStale() throws {
        var fixture = try ReportFixture()
        let id = try fixture.report("A.1", office: "SYR", status: "delayed", narrative: "تأجلت.", language: "ar")
        try fixture.edit(id, .translate(field: "narrative", language: "fr", text: "Reportée.", status: .translated))

        #expect(try fixture.build(language: "en").reports[0].translation == nil)
        #expect(try fixture.build(language: "ar").reports[0].translation == nil)
        let french = try #require(try fixture.build(language: "fr").reports[0].translation)
        #expect(french.text == "Reportée." && !french.stale)

        try fixture.edit(id, .set(field: "narrative", value: "تأجلت إلى كانون الثاني."), replica: "syr")
        #expect(try fixture.build(language: "fr").reports[0].translation?.stale == true)
    }

    @Test func titlesComeInTheReportLanguageOrFallBackToEnglish() throws {
        var fixture = try ReportFixture()
        let activity = "\(ReportFixture.plan)/A.1"
        let english = try #require(fixture.record(activity)).sourceText(of: "title")
        let arabic = try fixture.build(language: "ar").sections[0].activities[0].activity.title
        #expect(arabic.language == "ar" && !arabic.isFallback && arabic.text != english)

        try fixture.edit(activity, .set(field: "title", value: "Brief every HCT"))
        let stale = try fixture.build(language: "ar").sections[0].activities[0].activity.title
        #expect(stale.text == arabic.text && stale.isStale && !stale.isFallback)

        try fixture.create(
            "\(ReportFixture.plan)/A.9", "activity",
            [
                ("plan", ReportFixture.plan), ("section", "\(ReportFixture.plan)/A"), ("code", "A.9"),
                ("position", "9"), ("title", "A title no one has translated"),
            ])
        let added = try #require(try fixture.build(language: "ar").sections[0].activities.last?.activity)
        #expect(added.code == "A.9")
        #expect(added.title == LocalizedText(text: "A title no one has translated", language: "en", isFallback: true))
        #expect(try fixture.build(language: "en").sections[0].activities.last?.activity.title.isFallback == false)
    }

    @Test func approvalsAndPendingHeldEditsAreReported() throws {
        var fixture = try ReportFixture()
        let afghanistan = try fixture.report("A.1", office: "AFG", status: "on-track")
        try fixture.report("A.1", office: "SYR", status: "delayed")
        try fixture.approval(office: "AFG")
        try fixture.approval(office: "SYR", state: "open")
        try fixture.approval(office: "AFG", period: "2017-Q3")
        try fixture.held(report: afghanistan, office: "AFG", changes: #"{"reported_by":"amina","status":"completed"}"#)
        try fixture.held(report: afghanistan, office: "SYR", changes: "dismissed one", outcome: "dismissed")
        try fixture.held(report: afghanistan, office: "COL", period: "2017-Q3", changes: "other period")
        let report = try fixture.build()
        #expect(report.offices.map(\.office) == ["AFG", "SYR"])
        #expect(report.offices.map(\.approved) == [true, false])
        #expect(report.reports.map(\.approved) == [true, false])
        #expect(
            report.heldEdits.map(\.changes) == [
                [
                    FieldChange(field: "status", current: "on-track", proposed: "completed"),
                    FieldChange(field: "reported_by", current: "officer", proposed: "amina"),
                ]
            ])
        #expect(report.heldEdits.first?.report == afghanistan)
    }

    @Test func heldChangesThatAreNotFieldByFieldAreShownAsWritten() throws {
        var fixture = try ReportFixture()
        let id = try fixture.report("A.1", office: "AFG", status: "on-track")
        try fixture.held(report: id, office: "AFG", changes: "status → completed")
        #expect(
            try fixture.build().heldEdits.map(\.changes) == [
                [FieldChange(field: "", current: nil, proposed: "status → completed")]
            ])
    }

    @Test func anUnknownPlanABadPeriodOrLanguageIsOneClearError() throws {
        let records = try ReportFixture().records
        #expect {
            try ConsolidatedReport.build(records: records, plan: "no-such-plan", period: "2017")
        } throws: { error in
            "\(error)"
                == "no plan 'no-such-plan' in this replica (plans: iasc-aap-psea-workplan, iasc-protection-policy)"
        }
        for period in ["2017-Q5", "2017-13", "17", "2017-3", ""] {
            #expect(throws: ReportError.self) {
                try ConsolidatedReport.build(records: records, plan: ReportFixture.plan, period: period)
            }
        }
        #expect(throws: ReportError.self) {
            try ConsolidatedReport.build(records: records, plan: ReportFixture.plan, period: "2017", language: "de")
        }
    }
}
