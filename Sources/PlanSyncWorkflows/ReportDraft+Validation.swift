import PlanSyncCore

extension ReportDraft {
    /// A draft of what a person wrote, checked before anything is written: the period as the reports write it,
    /// a known status and narrative language, each indicator `NAME=VALUE`. The command line and the pages both
    /// check with it, so both refuse alike, in one line.
    public static func validated(
        activity: String, office: String, period: String, status: String, narrative: String? = nil,
        language: String? = nil, indicators: [String] = []
    ) throws(WorkflowError) -> ReportDraft {
        guard !activity.isEmpty else { throw WorkflowError("the report needs an activity") }
        _ = try Period(written: period)
        guard ProgressStatus.values.contains(status) else {
            throw WorkflowError("the status must be one of \(ProgressStatus.values.joined(separator: ", "))")
        }
        if let language, !ReportLanguage.values.contains(language) {
            throw WorkflowError(
                "the narrative's language must be one of \(ReportLanguage.values.joined(separator: ", ")), "
                    + "not '\(language)'")
        }
        var parsed: [Indicator] = []
        for text in indicators {
            guard let indicator = Indicator(text) else {
                throw WorkflowError("an indicator must be NAME=VALUE, not '\(text)'")
            }
            parsed.append(indicator)
        }
        return ReportDraft(
            activity: activity, office: office, period: period, status: status, narrative: narrative,
            language: language, indicators: parsed)
    }
}

extension Period {
    /// The period `text` names, written exactly as the reports write it (`2017`, `2017-Q1`, `2017-03`), or an
    /// error in one line: a report's id carries its period, so two spellings of one period would be two reports.
    public init(written text: String) throws(WorkflowError) {
        guard let period = Period(text) else {
            throw WorkflowError("the period must be written 2017, 2017-Q1 or 2017-03, not '\(text)'")
        }
        guard period.description == text else {
            throw WorkflowError("the period '\(text)' should be written \(period)")
        }
        self = period
    }
}
