import PlanSyncCore

/// One office's report on one activity for the period, as the central team reads it.
public struct OfficeReport: Hashable, Sendable {
    /// The report record's id, `ACTIVITY/report/OFFICE/PERIOD`.
    public var id: String
    /// The activity or related activity reported on.
    public var activity: String
    public var office: String
    /// One of `ProgressStatus.values`, or nil when the office has not set one.
    public var status: String?
    /// The `indicators` elements as written, `NAME=VALUE`, sorted.
    public var indicatorElements: [String]
    /// Every concurrent narrative, latest first: more than one means the office wrote two versions offline and
    /// nobody has resolved them yet, so all are shown.
    public var narratives: [String]
    /// The language the narrative was written in.
    public var narrativeLanguage: String
    /// The narrative in the report language, when that differs from the original and a translation exists.
    public var translation: NarrativeTranslation?
    public var reportedBy: String?
    /// ISO 8601, as the office wrote it.
    public var reportedAt: String?
    /// The central team approved this office's reports for the period.
    public var approved: Bool

    public init(
        id: String, activity: String, office: String, status: String?, indicatorElements: [String],
        narratives: [String], narrativeLanguage: String, translation: NarrativeTranslation?, reportedBy: String?,
        reportedAt: String?, approved: Bool
    ) {
        self.id = id
        self.activity = activity
        self.office = office
        self.status = status
        self.indicatorElements = indicatorElements
        self.narratives = narratives
        self.narrativeLanguage = narrativeLanguage
        self.translation = translation
        self.reportedBy = reportedBy
        self.reportedAt = reportedAt
        self.approved = approved
    }

    /// The narrative is in conflict: two or more versions are kept side by side.
    public var hasNarrativeConflict: Bool { narratives.count > 1 }

    /// Indicator values grouped by name, in name order. Two values of one name were written concurrently.
    public var indicators: [IndicatorValue] {
        var order: [String] = []
        var values: [String: [String]] = [:]
        for element in indicatorElements {
            let (name, value) = IndicatorValue.split(element)
            if values[name] == nil { order.append(name) }
            values[name, default: []].append(value)
        }
        return order.map { IndicatorValue(name: $0, values: values[$0] ?? []) }
    }
}

/// A narrative's translation into the report language.
public struct NarrativeTranslation: Hashable, Sendable {
    public var language: String
    public var text: String
    public var status: TranslationStatus
    /// The narrative changed after this translation was made.
    public var stale: Bool

    public init(language: String, text: String, status: TranslationStatus, stale: Bool) {
        self.language = language
        self.text = text
        self.status = status
        self.stale = stale
    }
}

/// One indicator's value or values in one report.
public struct IndicatorValue: Hashable, Sendable {
    public var name: String
    public var values: [String]

    public init(name: String, values: [String]) {
        self.name = name
        self.values = values
    }

    /// Two devices wrote different values offline; both are kept in the add-wins list until someone removes one.
    public var isConcurrent: Bool { values.count > 1 }

    /// `NAME=VALUE` split at the first `=`; an element without one is a name with an empty value.
    static func split(_ element: String) -> (name: String, value: String) {
        guard let equals = element.firstIndex(of: "=") else { return (element, "") }
        return (String(element[..<equals]), String(element[element.index(after: equals)...]))
    }
}

/// Whether one office's reports for the period are approved.
public struct OfficeApproval: Hashable, Sendable {
    public var office: String
    public var approved: Bool
    public var by: String?
    public var at: String?

    public init(office: String, approved: Bool, by: String? = nil, at: String? = nil) {
        self.office = office
        self.approved = approved
        self.by = by
        self.at = at
    }
}

/// An office's edit of an approved report, held until the central team accepts or dismisses it.
public struct HeldEdit: Hashable, Sendable {
    public var id: String
    public var report: String
    public var office: String
    /// What the office proposed, field by field, in the report's field order.
    public var changes: [FieldChange]
    public var proposedBy: String?

    public init(id: String, report: String, office: String, changes: [FieldChange], proposedBy: String?) {
        self.id = id
        self.report = report
        self.office = office
        self.changes = changes
        self.proposedBy = proposedBy
    }
}

/// One field of a held edit: the value the report has now and the one the office proposed.
public struct FieldChange: Hashable, Sendable {
    /// The field's name; empty when the held edit's changes could not be read field by field, and `proposed`
    /// then holds them as written.
    public var field: String
    public var current: String?
    public var proposed: String

    public init(field: String, current: String?, proposed: String) {
        self.field = field
        self.current = current
        self.proposed = proposed
    }
}
