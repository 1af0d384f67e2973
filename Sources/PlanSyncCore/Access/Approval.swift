/// The central team's approval of one office's reports for one period: once approved, the numbers stop
/// moving — the office's own edits are refused (or, made offline before the approval arrived, held for the
/// central team to accept or dismiss).
public enum Approval {
    /// The id of the approval record of an office and period.
    public static func id(office: String, period: String) -> String {
        "approvals/\(office)/\(period)"
    }

    /// The approval record that governs a report, by the report's office and period.
    public static func id(governing report: RecordState, schema: Schema = .planSync) -> String? {
        guard report.collection == "report", let office = report.value(of: "office", schema: schema)?.text,
            let period = report.value(of: "period", schema: schema)?.text
        else { return nil }
        return id(office: office, period: period)
    }

    /// Whether an approval record says the period is approved.
    public static func isApproved(_ approval: RecordState?, schema: Schema = .planSync) -> Bool {
        guard let approval, !approval.isDeleted else { return false }
        return approval.value(of: "state", schema: schema)?.text == "approved"
    }

    /// Why an office may not change `report` given its approval, or nil. The central team always may.
    public static func refusal(of report: RecordState, approval: RecordState?, by principal: Principal) -> String? {
        guard principal.role == .office, isApproved(approval) else { return nil }
        return "the central team approved this office's reports for this period; ask them to reopen it"
    }
}
