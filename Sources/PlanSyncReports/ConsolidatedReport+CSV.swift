import PlanSyncCore

extension ConsolidatedReport {
    /// The CSV columns, in order. Names stay English whatever the report language, so a spreadsheet or script
    /// reads every language's export the same way.
    public static let csvColumns = [
        "plan", "section", "activity_code", "activity_title", "office", "period", "status", "indicators",
        "narrative", "narrative_language", "narrative_translation", "reported_by", "reported_at", "approved",
    ]

    /// Separates concurrent narratives in one CSV cell.
    public static let csvNarrativeSeparator = "\n---\n"

    /// The report as CSV: a byte-order mark (so Excel reads the UTF-8, Arabic included), a header row, then one
    /// row per (activity, office) in report order. RFC 4180: CRLF line ends; a field holding a quote, comma or
    /// line break is quoted with its quotes doubled.
    ///
    /// Titles are in the report language; status and language are codes (`on-track`, `ar`), `approved` is
    /// `yes` or `no`. A stale translation is prefixed `[stale] `; concurrent narratives share their cell,
    /// separated by `csvNarrativeSeparator`.
    public var csv: String {
        var lines = [CSVFormat.row(Self.csvColumns)]
        for section in sections {
            for item in section.activities.flatMap(\.items) {
                for report in item.reports {
                    lines.append(CSVFormat.row(csvRow(report, item: item, section: section)))
                }
            }
        }
        return "\u{FEFF}" + lines.joined()
    }

    private func csvRow(_ report: OfficeReport, item: WorkItem, section: SectionBlock) -> [String] {
        let translation = report.translation.map { ($0.stale ? "[stale] " : "") + $0.text } ?? ""
        return [
            plan, section.title.text, item.code, item.title.text, report.office, period.description,
            report.status ?? "", report.indicatorElements.joined(separator: "; "),
            report.narratives.joined(separator: Self.csvNarrativeSeparator),
            report.narratives.isEmpty ? "" : report.narrativeLanguage, translation,
            report.reportedBy ?? "", report.reportedAt ?? "", report.approved ? "yes" : "no",
        ]
    }
}

/// RFC 4180 fields and rows.
enum CSVFormat {
    static func row(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }

    static func field(_ value: String) -> String {
        let value = defused(value)
        // `unicodeScalars`: a CRLF is one Character in Swift and would not match "\n" or "\r" alone.
        let needsQuotes = value.unicodeScalars.contains { "\",\r\n".unicodeScalars.contains($0) }
        guard needsQuotes else { return value }
        return "\"" + value.replacingQuotes() + "\""
    }

    /// A spreadsheet may run a cell that starts with `=`, `+`, `-` or `@` as a formula, and one that starts
    /// with a tab or carriage return can hide one (`-2+3+cmd|' /C calc'!A0` is a formula). An office's free text
    /// must never run, so every such cell gets a leading apostrophe, which spreadsheets hide: the OWASP rule,
    /// whole, rather than a guess at which of them a given spreadsheet would run.
    static func defused(_ value: String) -> String {
        guard let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return value }
        return "'" + value
    }
}

extension String {
    fileprivate func replacingQuotes() -> String {
        var result = ""
        for scalar in unicodeScalars {
            if scalar == "\"" { result += "\"\"" } else { result.unicodeScalars.append(scalar) }
        }
        return result
    }
}
