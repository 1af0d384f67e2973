/// The file formats a consolidated report is written in.
public enum ReportFormat: String, CaseIterable, Sendable {
    /// One self-contained page with the chart, for reading and printing.
    case html
    /// One row per (activity, office), for spreadsheets.
    case csv
    /// Headings and tables, for an e-mail.
    case md
}

extension ConsolidatedReport {
    /// The report in a format, as the text of the file to write.
    public func rendered(as format: ReportFormat) -> String {
        switch format {
        case .html: html
        case .csv: csv
        case .md: markdown
        }
    }
}
