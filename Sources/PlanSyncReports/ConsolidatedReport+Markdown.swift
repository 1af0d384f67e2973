import PlanSyncCore

extension ConsolidatedReport {
    /// The report as Markdown for an e-mail: a heading and a table per section (activity, office, status,
    /// indicators), each narrative as a quoted paragraph under the table, the section's totals, and the edits
    /// awaiting the central team. Sections with no reports say so in one line.
    public var markdown: String {
        MarkdownReport(report: self, strings: ReportStrings(language: language)).document
    }
}

/// Writes the Markdown form of a consolidated report.
struct MarkdownReport {
    let report: ConsolidatedReport
    let strings: ReportStrings

    var document: String {
        var blocks = [
            "# \(text(strings[.title]))\(strings.colon) \(localized(report.planTitle))",
            "**\(text(strings[.plan]))\(strings.colon)** `\(report.plan)`  \n"
                + "**\(text(strings[.period]))\(strings.colon)** \(report.period)",
        ]
        if !report.offices.isEmpty {
            blocks.append("## \(text(strings[.summary]))")
            blocks.append(
                table(
                    [strings[.office], strings[.approval]],
                    report.offices.map { ["`\($0.office)`", text(approval($0.approved))] }, raw: true))
            blocks.append(totals(report.totals))
        }
        for section in report.sections { blocks += self.section(section) }
        blocks.append("## \(text(strings[.heldEdits]))")
        blocks.append(heldEdits)
        return blocks.filter { !$0.isEmpty }.joined(separator: "\n\n") + "\n"
    }

    private func section(_ section: SectionBlock) -> [String] {
        var blocks = ["## \(text(section.code)) \(localized(section.title))"]
        let items = section.activities.flatMap(\.items).filter { !$0.reports.isEmpty }
        guard !items.isEmpty else { return blocks + ["_\(text(strings[.noReports]))_"] }
        let rows = items.flatMap { item in
            item.reports.map { report in
                [
                    "\(text(item.code)) \(localized(item.title))", "`\(report.office)`",
                    text(strings.status(report.status)), indicators(report),
                ]
            }
        }
        blocks.append(
            table([strings[.activity], strings[.office], strings[.status], strings[.indicators]], rows, raw: true))
        for item in items {
            for report in item.reports where !report.narratives.isEmpty { blocks.append(narrative(report, item)) }
        }
        blocks.append("**\(text(strings[.totals])) · \(text(section.code))**\n\n" + totals(section.totals))
        return blocks
    }

    private func indicators(_ report: OfficeReport) -> String {
        guard !report.indicators.isEmpty else { return "—" }
        return report.indicators.map { indicator in
            let values = indicator.values.map(text).joined(separator: " / ")
            let note = indicator.isConcurrent ? " (\(text(strings[.concurrentValues])))" : ""
            return "\(text(indicator.name))=\(values)\(note)"
        }.joined(separator: strings.semicolon + " ")
    }

    private func narrative(_ report: OfficeReport, _ item: WorkItem) -> String {
        let language = text(strings.languageName(report.narrativeLanguage))
        var lines = ["**\(text(item.code)) · \(text(report.office))** (\(language))"]
        if report.hasNarrativeConflict {
            lines[0] += " — \(text(strings[.conflictingVersions]))\(strings.colon) \(report.narratives.count)"
        }
        for (index, narrative) in report.narratives.enumerated() {
            if index > 0 { lines.append("") }
            lines.append(quote(narrative))
        }
        if let translation = report.translation {
            let stale = translation.stale ? " (\(text(strings[.stale])))" : ""
            let name = text(strings.languageName(translation.language))
            lines.append("")
            let label = "\(text(strings[.translation])) (\(name))\(stale)\(strings.colon)"
            lines.append("> _\(label)_\n>\n" + quote(translation.text))
        }
        return lines.joined(separator: "\n")
    }

    private func totals(_ totals: StatusTotals) -> String {
        guard !totals.isEmpty else { return "" }
        let statuses = StatusTotals.statuses.map { Optional($0) } + (totals.hasUnset ? [nil] : [])
        func cells(_ row: StatusTotals.Row) -> [String] {
            statuses.map { "\($0.map { row.count($0) } ?? row.unset)" } + ["\(row.total)"]
        }
        var rows = totals.rows.map { ["`\($0.office)`"] + cells($0) }
        if totals.rows.count > 1 { rows.append(["**\(text(strings[.total]))**"] + cells(totals.sum)) }
        let header = [strings[.office]] + statuses.map { strings.status($0) } + [strings[.total]]
        return table(header, rows, raw: true, numeric: true)
    }

    private var heldEdits: String {
        guard !report.heldEdits.isEmpty else { return "_\(text(strings[.noHeldEdits]))_" }
        return report.heldEdits.map { edit in
            let by = edit.proposedBy.map { ", \(text(strings[.proposedBy]))\(strings.colon) \(text($0))" } ?? ""
            let changes = edit.changes.map { change in
                let field = change.field.isEmpty ? "" : text(change.field) + strings.colon + " "
                return field + (change.current.map { text($0) + " → " } ?? "") + text(change.proposed)
            }
            let listed = changes.joined(separator: strings.semicolon + " ")
            return "- `\(edit.report)` (`\(edit.office)`\(by))\(strings.colon) \(listed)"
        }.joined(separator: "\n")
    }

    // MARK: - Markdown pieces

    /// A pipe table. Header cells are escaped here; body cells are escaped by the caller when `raw`.
    private func table(_ header: [String], _ rows: [[String]], raw: Bool = false, numeric: Bool = false) -> String {
        let head = "| " + header.map(text).joined(separator: " | ") + " |"
        let rule = "|" + header.indices.map { numeric && $0 > 0 ? " ---: |" : " --- |" }.joined()
        let body = rows.map { row in "| " + row.map { raw ? $0 : text($0) }.joined(separator: " | ") + " |" }
        return ([head, rule] + body).joined(separator: "\n")
    }

    private func localized(_ value: LocalizedText) -> String {
        var result = text(value.text.flattened)
        if value.isFallback { result += " (\(text(strings[.untranslated])))" }
        if value.isStale { result += " (\(text(strings[.stale])))" }
        return result
    }

    private func approval(_ approved: Bool) -> String {
        approved ? "✓ \(strings[.approved])" : strings[.notApproved]
    }

    /// A block quote, one `>` per line; a blank line stays inside the quote.
    private func quote(_ paragraph: String) -> String {
        paragraph.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            let escaped = text(String(line))
            return escaped.isEmpty ? ">" : "> " + (escaped.first == "#" ? "\\" + escaped : escaped)
        }.joined(separator: "\n")
    }

    /// Inline text with Markdown's active characters escaped, on one line.
    private func text(_ value: String) -> String {
        var result = ""
        for character in value.flattened {
            if "\\`*_[]<>|".contains(character) { result.append("\\") }
            result.append(character)
        }
        return result
    }
}

extension String {
    /// Line breaks folded to spaces, for a table cell or a heading.
    fileprivate var flattened: String {
        split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
