import PlanSyncCore

/// The central team's picture of one plan for one period: every office's report on every activity, with
/// totals per section, each office's approval, and the office edits still waiting for a decision.
///
/// A value built from records by `ConsolidatedReport.build(records:plan:period:language:)` and rendered by
/// `html`, `csv` and `markdown`. It holds no I/O and no clock, so the same records always give the same report.
public struct ConsolidatedReport: Hashable, Sendable {
    /// The plan's id (the part of an activity id before `/CODE`).
    public var plan: String
    public var planTitle: LocalizedText
    public var period: Period
    /// The language headings, labels and titles are shown in: `en`, `ar`, `fr` or `es`.
    public var language: String
    /// The plan's sections in `position` order, each with every key activity (reported on or not).
    public var sections: [SectionBlock]
    /// Every office that reported on this plan for this period, or whose period was approved, sorted by code.
    public var offices: [OfficeApproval]
    /// Status counts per office over the whole plan.
    public var totals: StatusTotals
    /// Pending office edits of approved reports of this plan and period.
    public var heldEdits: [HeldEdit]

    public init(
        plan: String, planTitle: LocalizedText, period: Period, language: String, sections: [SectionBlock],
        offices: [OfficeApproval], totals: StatusTotals, heldEdits: [HeldEdit]
    ) {
        self.plan = plan
        self.planTitle = planTitle
        self.period = period
        self.language = language
        self.sections = sections
        self.offices = offices
        self.totals = totals
        self.heldEdits = heldEdits
    }

    /// Every office report in the plan, in report order.
    public var reports: [OfficeReport] {
        sections.flatMap { $0.activities.flatMap { $0.items.flatMap(\.reports) } }
    }

    /// Whether the central team approved an office's reports for this period.
    public func isApproved(_ office: String) -> Bool {
        offices.first { $0.office == office }?.approved ?? false
    }
}

/// A title or other translatable text as shown in the report language.
public struct LocalizedText: Hashable, Sendable {
    public var text: String
    /// The language `text` is in.
    public var language: String
    /// No translation into the report language exists, so the English is shown.
    public var isFallback: Bool
    /// The translation was made from English that has since changed.
    public var isStale: Bool

    public init(text: String, language: String, isFallback: Bool = false, isStale: Bool = false) {
        self.text = text
        self.language = language
        self.isFallback = isFallback
        self.isStale = isStale
    }
}

/// One section of the plan, its key activities, and its totals.
public struct SectionBlock: Hashable, Sendable {
    public var id: String
    public var code: String
    public var title: LocalizedText
    public var activities: [ActivityBlock]
    /// Status counts per office over the section's key and related activities.
    public var totals: StatusTotals

    public init(id: String, code: String, title: LocalizedText, activities: [ActivityBlock], totals: StatusTotals) {
        self.id = id
        self.code = code
        self.title = title
        self.activities = activities
        self.totals = totals
    }
}

/// A key activity with the reports on it, followed by those of its related activities that were reported on.
public struct ActivityBlock: Hashable, Sendable {
    public var activity: WorkItem
    /// Related activities with at least one report for the period, in `position` order.
    public var related: [WorkItem]

    public init(activity: WorkItem, related: [WorkItem]) {
        self.activity = activity
        self.related = related
    }

    /// The key activity, then its reported related activities.
    public var items: [WorkItem] { [activity] + related }
}

/// A key activity or a related activity, and every office's report on it for the period.
public struct WorkItem: Hashable, Sendable {
    /// Whether the item is one of a section's key activities or one of a key activity's related activities.
    public enum Kind: String, Hashable, Sendable {
        case keyActivity = "activity"
        case related
    }

    public var id: String
    /// `A.1` for a key activity, `A.1/2` for its second related activity.
    public var code: String
    public var title: LocalizedText
    public var kind: Kind
    /// One report per office, sorted by office code.
    public var reports: [OfficeReport]

    public init(id: String, code: String, title: LocalizedText, kind: Kind, reports: [OfficeReport]) {
        self.id = id
        self.code = code
        self.title = title
        self.kind = kind
        self.reports = reports
    }
}
