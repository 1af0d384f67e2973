import Foundation
import PlanSyncCore

extension ConsolidatedReport {
    /// Builds the report of one plan for one period from every record a replica holds.
    ///
    /// Deleted records are left out, and so are reports, approvals and held edits of any other period: a
    /// quarter's report does not include the months inside it, nor the year around it. Related activities'
    /// reports are listed under their key activity and counted in its section's totals.
    ///
    /// - Throws: `ReportError` when the plan is not among the records, the period is not written `2017`,
    ///   `2017-Q1` or `2017-03`, or the language is not one of `ReportStrings.languages`.
    public static func build(
        records: [RecordState], plan: String, period: String, language: String = "en"
    ) throws(ReportError) -> ConsolidatedReport {
        guard ReportStrings.languages.contains(language) else { throw .unknownLanguage(language) }
        guard let period = Period(period) else { throw .badPeriod(period) }
        let live = records.filter { !$0.isDeleted }
        let plans = live.filter { $0.collection == "plan" }
        guard let planRecord = plans.first(where: { $0.id == plan }) else {
            throw .unknownPlan(plan, known: plans.map(\.id).sorted())
        }
        let localizer = Localizer(language: language)
        let inPeriod = live.filter { $0.reportingPeriod == period }
        let approvals = approvalsByOffice(inPeriod)
        let reports = Dictionary(grouping: inPeriod.filter { $0.collection == "report" }, by: \.reportedActivity)
        let related = Dictionary(grouping: live.filter { $0.collection == "related" }) {
            $0.nonBlank("activity") ?? ""
        }
        let activities = Dictionary(grouping: live.filter { $0.collection == "activity" }) {
            $0.nonBlank("section") ?? ""
        }

        func item(_ record: RecordState, kind: WorkItem.Kind) -> WorkItem {
            let officeReports = (reports[record.id] ?? [])
                .map { officeReport($0, activity: record.id, language: language, approvals: approvals) }
                .sorted { ($0.office, $0.id) < ($1.office, $1.id) }
            return WorkItem(
                id: record.id, code: record.nonBlank("code") ?? record.id, title: localizer.text(record, "title"),
                kind: kind, reports: officeReports)
        }

        let sections = live.filter { $0.collection == "section" && $0.nonBlank("plan") == plan }
            .sorted(by: PlanOutline.inOrder)
            .map { section in
                let blocks = (activities[section.id] ?? []).sorted(by: PlanOutline.inOrder).map { activity in
                    ActivityBlock(
                        activity: item(activity, kind: .keyActivity),
                        related: (related[activity.id] ?? []).sorted(by: PlanOutline.inOrder)
                            .map { item($0, kind: .related) }
                            .filter { !$0.reports.isEmpty })
                }
                return SectionBlock(
                    id: section.id, code: section.nonBlank("code") ?? section.id,
                    title: localizer.text(section, "title"),
                    activities: blocks,
                    totals: StatusTotals(reports: blocks.flatMap { $0.items.flatMap(\.reports) }))
            }
        let allReports = sections.flatMap { $0.activities.flatMap { $0.items.flatMap(\.reports) } }
        let byID = Dictionary(live.map { ($0.id, $0) }) { first, _ in first }
        let held = heldEdits(inPeriod, plan: plan, reports: byID)
        let offices = Set(allReports.map(\.office)).union(held.map(\.office)).sorted().map {
            approvals[$0] ?? OfficeApproval(office: $0, approved: false)
        }
        return ConsolidatedReport(
            plan: plan, planTitle: localizer.text(planRecord, "title"), period: period, language: language,
            sections: sections, offices: offices, totals: StatusTotals(reports: allReports), heldEdits: held)
    }

    private static func officeReport(
        _ record: RecordState, activity: String, language: String, approvals: [String: OfficeApproval]
    ) -> OfficeReport {
        let office = record.nonBlank("office") ?? record.idSegment(fromEnd: 1)
        let narrativeLanguage = Schema.planSync.sourceLanguage(of: record)
        let conflict = record.conflict(of: "narrative")
        let narratives = conflict.isEmpty ? [record.nonBlank("narrative")].compactMap { $0 } : conflict
        var translation: NarrativeTranslation?
        if language != narrativeLanguage, !narratives.isEmpty,
            let view = record.readableTranslation(of: "narrative", language: language)
        {
            translation = NarrativeTranslation(
                language: language, text: view.text, status: view.status, stale: view.stale)
        }
        let indicators: [String] =
            if case .list(let elements) = record.value(of: "indicators") { elements } else { [] }
        return OfficeReport(
            id: record.id, activity: activity, office: office, status: record.nonBlank("status"),
            indicatorElements: indicators, narratives: narratives, narrativeLanguage: narrativeLanguage,
            translation: translation, reportedBy: record.nonBlank("reported_by"),
            reportedAt: record.nonBlank("reported_at"), approved: approvals[office]?.approved ?? false)
    }

    private static func approvalsByOffice(_ records: [RecordState]) -> [String: OfficeApproval] {
        var approvals: [String: OfficeApproval] = [:]
        for record in records where record.collection == "approval" {
            guard let office = record.nonBlank("office") else { continue }
            approvals[office] = OfficeApproval(
                office: office, approved: Approval.isApproved(record), by: record.nonBlank("by"),
                at: record.nonBlank("at"))
        }
        return approvals
    }

    /// Held edits still pending whose report belongs to the plan. An edit with no outcome yet is pending.
    private static func heldEdits(_ records: [RecordState], plan: String, reports: [String: RecordState])
        -> [HeldEdit]
    {
        records.filter { $0.collection == "held" }.map { HeldProposal($0) }
            .compactMap { held -> HeldEdit? in
                guard held.pending, RecordID.plan(of: held.report) == plan else { return nil }
                return HeldEdit(
                    id: held.id, report: held.report, office: held.office,
                    changes: fieldChanges(held, current: reports[held.report]),
                    proposedBy: held.proposedBy.flatMap { $0.isAllWhitespace ? nil : $0 })
            }
            .sorted { ($0.office, $0.report, $0.id) < ($1.office, $1.report, $1.id) }
    }

    /// A held edit's changes are a JSON object, field → proposed value. Anything else is shown as written,
    /// because a held edit the central team cannot read must still be seen.
    private static func fieldChanges(_ held: HeldProposal, current report: RecordState?) -> [FieldChange] {
        if let text = held.unreadableChanges { return [FieldChange(field: "", current: nil, proposed: text)] }
        // What accepting would change, as `plansync conflicts` lists it: a field proposed unchanged is left out.
        return held.differences(from: report).map {
            let current = $0.approved.isAllWhitespace ? nil : $0.approved
            return FieldChange(field: $0.field, current: current, proposed: $0.proposed)
        }
    }
}

/// Picks a record's text in the report language, falling back to the English.
struct Localizer {
    let language: String

    func text(_ record: RecordState, _ field: String) -> LocalizedText {
        let english = record.sourceText(of: field)
        guard language != "en" else { return LocalizedText(text: english, language: "en") }
        if let translation = record.readableTranslation(of: field, language: language) {
            return LocalizedText(text: translation.text, language: language, isStale: translation.stale)
        }
        return LocalizedText(text: english, language: "en", isFallback: true)
    }
}

extension RecordState {
    /// A register field's provisional value, or nil when it is missing or blank.
    func nonBlank(_ field: String) -> String? {
        guard let value = value(of: field), !value.text.isAllWhitespace else { return nil }
        return value.text
    }

    /// The id's segment `n` places from the end (0 is the last).
    func idSegment(fromEnd n: Int) -> String {
        let segments = id.split(separator: "/")
        return segments.count > n ? String(segments[segments.count - 1 - n]) : ""
    }

    /// The period a report, approval or held edit is for: its `period` field, or the id's last segment.
    var reportingPeriod: Period? {
        Period(nonBlank("period") ?? idSegment(fromEnd: 0))
    }

    /// The activity a report is on: its `activity` field, or the part of its id before `/report/`.
    var reportedActivity: String {
        if let activity = nonBlank("activity") { return activity }
        let segments = id.split(separator: "/", omittingEmptySubsequences: false)
        guard let marker = segments.lastIndex(of: "report") else { return "" }
        return segments[..<marker].joined(separator: "/")
    }
}

extension String {
    var isAllWhitespace: Bool { allSatisfy(\.isWhitespace) }
}
