import PlanSyncCore

extension ConsolidatedReport {
    /// The report as one self-contained HTML file: inline CSS and SVG, no scripts, nothing fetched, printable.
    public var html: String {
        HTMLReport(report: self, strings: ReportStrings(language: language)).document
    }

    /// The report's content without its page around it, to be shown inside another page in the report's
    /// language and direction (the web pages show it inline); it needs `stylesheet`.
    public var htmlContent: String {
        HTMLReport(report: self, strings: ReportStrings(language: language)).content
    }

    /// The CSS the report's HTML is styled by (logical properties: one stylesheet for both directions).
    public static var stylesheet: String { ReportStylesheet.css }
}

/// Writes the HTML form of a consolidated report.
struct HTMLReport {
    let report: ConsolidatedReport
    let strings: ReportStrings

    var document: String {
        let direction = strings.isRightToLeft ? "rtl" : "ltr"
        let title = "\(strings[.title]) · \(report.planTitle.text) · \(report.period)"
        return """
            <!DOCTYPE html>
            <html lang="\(strings.language)" dir="\(direction)">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTMLText.escape(title))</title>
            <style>\(ReportStylesheet.css)</style>
            </head>
            <body>
            <main>
            \(content)
            </main>
            </body>
            </html>

            """
    }

    var content: String {
        """
        \(header)
        \(summary)
        \(report.sections.map(section).joined(separator: "\n"))
        \(heldEdits)
        """
    }

    // MARK: - Parts

    private var header: String {
        """
        <header>
        <h1>\(HTMLText.escape(strings[.title]))</h1>
        <p class="meta"><span class="label">\(label(.plan))</span> \
        \(HTMLText.localized(report.planTitle, strings: strings)) \
        (\(HTMLText.isolate(report.plan, language: "en")))<br>\
        <span class="label">\(label(.period))</span> \(HTMLText.isolate(report.period.description))</p>
        </header>
        """
    }

    private var summary: String {
        let chart = StatusChart(report: report, strings: strings).svg
        return """
            <section class="summary">
            <h2>\(label(.summary))</h2>
            <figure class="chart"><figcaption>\(label(.chartTitle))</figcaption>\(chart)</figure>
            \(approvals)
            \(totalsTable(report.totals, caption: strings[.totals]))
            </section>
            """
    }

    private var approvals: String {
        guard !report.offices.isEmpty else { return "" }
        let rows = report.offices.map { office in
            "<tr><td>\(HTMLText.isolate(office.office))</td><td>\(approvalBadge(office.approved))</td>"
                + "<td>\(optional(office.by))</td>"
                + "<td>\(optional(office.at.map { ReadableDate.text(iso: $0) ?? $0 }))</td></tr>"
        }
        return """
            <table class="approvals"><caption>\(label(.approval))</caption>
            <thead><tr><th>\(label(.office))</th><th>\(label(.approval))</th><th>\(label(.decidedBy))</th>\
            <th>\(label(.date))</th></tr></thead>
            <tbody>\(rows.joined())</tbody></table>
            """
    }

    private func section(_ section: SectionBlock) -> String {
        let items = section.activities.flatMap(\.items).map(workItem).joined(separator: "\n")
        return """
            <section class="plan-section" id="\(HTMLText.escape(section.id))">
            <h2>\(HTMLText.isolate(section.code)) \(HTMLText.localized(section.title, strings: strings))</h2>
            \(items)
            \(totalsTable(section.totals, caption: "\(strings[.totals]) · \(section.code)"))
            </section>
            """
    }

    private func workItem(_ item: WorkItem) -> String {
        let heading = item.kind == .keyActivity ? "h3" : "h4"
        let kind = item.kind == .related ? "<span class=\"kind\">\(label(.relatedActivity))</span> " : ""
        let body =
            item.reports.isEmpty
            ? "<p class=\"muted\">\(label(.noReports))</p>"
            : """
            <table class="reports"><thead><tr><th>\(label(.office))</th><th>\(label(.status))</th>\
            <th>\(label(.indicators))</th><th>\(label(.narrative))</th><th>\(label(.reportedBy))</th></tr></thead>
            <tbody>\(item.reports.map(reportRow).joined(separator: "\n"))</tbody></table>
            """
        return """
            <article class="\(item.kind.rawValue)" id="\(HTMLText.escape(item.id))">
            <\(heading)>\(kind)\(HTMLText.isolate(item.code)) \(HTMLText.localized(item.title, strings: strings))\
            </\(heading)>
            \(body)
            </article>
            """
    }

    private func reportRow(_ report: OfficeReport) -> String {
        let reporter =
            [
                report.reportedBy.map { HTMLText.isolate($0) },
                report.reportedAt.map { HTMLText.isolate(ReadableDate.text(iso: $0) ?? $0, className: "when") },
            ]
            .compactMap { $0 }
        return "<tr><td class=\"office\">\(HTMLText.isolate(report.office))<br>\(approvalBadge(report.approved))</td>"
            + "<td>\(HTMLText.status(report.status, strings: strings))</td>"
            + "<td>\(indicators(report.indicators))</td><td class=\"narrative\">\(narrative(report))</td>"
            + "<td>\(reporter.isEmpty ? "—" : reporter.joined(separator: "<br>"))</td></tr>"
    }

    private func indicators(_ values: [IndicatorValue]) -> String {
        guard !values.isEmpty else { return "—" }
        let items = values.map { indicator in
            let shown = indicator.values.map { HTMLText.isolate($0) }.joined(separator: " · ")
            let note = indicator.isConcurrent ? " " + HTMLText.marker(strings[.concurrentValues]) : ""
            return "<li>\(HTMLText.isolate(indicator.name)): \(shown)\(note)</li>"
        }
        return "<ul class=\"indicators\">\(items.joined())</ul>"
    }

    private func narrative(_ report: OfficeReport) -> String {
        guard !report.narratives.isEmpty else { return "—" }
        let language = HTMLText.escape(report.narrativeLanguage)
        var html = ""
        if report.translation != nil || report.narrativeLanguage != strings.language {
            let name = HTMLText.escape(strings.languageName(report.narrativeLanguage))
            html += "<span class=\"label\">\(label(.original)) (\(name))</span>"
        }
        if report.hasNarrativeConflict {
            html += " " + HTMLText.marker("\(strings[.conflictingVersions]): \(report.narratives.count)")
        }
        for text in report.narratives {
            html += "<p dir=\"auto\" lang=\"\(language)\">\(HTMLText.escapeLines(text))</p>"
        }
        if let translation = report.translation {
            let stale = translation.stale ? " " + HTMLText.marker(strings[.stale]) : ""
            html +=
                "<div class=\"translation\"><span class=\"label\">\(label(.translation)) "
                + "(\(HTMLText.escape(strings.languageName(translation.language))))</span>\(stale)"
                + "<p dir=\"auto\" lang=\"\(HTMLText.escape(translation.language))\">"
                + "\(HTMLText.escapeLines(translation.text))</p></div>"
        }
        return html
    }

    private func totalsTable(_ totals: StatusTotals, caption: String) -> String {
        guard !totals.isEmpty else { return "" }
        let statuses = StatusTotals.statuses.map { Optional($0) } + (totals.hasUnset ? [nil] : [])
        let head = statuses.map { "<th class=\"number\">\(HTMLText.status($0, strings: strings))</th>" }.joined()
        func cells(_ row: StatusTotals.Row) -> String {
            statuses.map { "<td class=\"number\">\($0.map { row.count($0) } ?? row.unset)</td>" }.joined()
                + "<td class=\"number\"><strong>\(row.total)</strong></td>"
        }
        var rows = totals.rows.map { "<tr><td>\(HTMLText.isolate($0.office))</td>\(cells($0))</tr>" }
        if totals.rows.count > 1 {
            rows.append("<tr class=\"sum\"><th>\(label(.total))</th>\(cells(totals.sum))</tr>")
        }
        return """
            <table class="totals"><caption>\(HTMLText.escape(caption))</caption>
            <thead><tr><th>\(label(.office))</th>\(head)<th class="number">\(label(.total))</th></tr></thead>
            <tbody>\(rows.joined())</tbody></table>
            """
    }

    private var heldEdits: String {
        let body =
            report.heldEdits.isEmpty
            ? "<p class=\"muted\">\(label(.noHeldEdits))</p>"
            : """
            <table class="held"><thead><tr><th>\(label(.report))</th><th>\(label(.office))</th>\
            <th>\(label(.changes))</th><th>\(label(.proposedBy))</th></tr></thead><tbody>\
            \(report.heldEdits.map(heldRow).joined())</tbody></table>
            """
        return """
            <section class="held-edits">
            <h2>\(label(.heldEdits))</h2>
            \(body)
            </section>
            """
    }

    private func heldRow(_ edit: HeldEdit) -> String {
        "<tr><td>\(HTMLText.isolate(edit.report))</td><td>\(HTMLText.isolate(edit.office))</td>"
            + "<td>\(changes(edit.changes))</td>"
            + "<td>\(optional(edit.proposedBy))</td></tr>"
    }

    private func changes(_ changes: [FieldChange]) -> String {
        let items = changes.map { change in
            let field = change.field.isEmpty ? "" : HTMLText.isolate(change.field) + ": "
            let current = change.current.map { "<bdi>\(HTMLText.escapeLines($0))</bdi> → " } ?? ""
            return "<li>\(field)\(current)<bdi>\(HTMLText.escapeLines(change.proposed))</bdi></li>"
        }
        return "<ul class=\"changes\">\(items.joined())</ul>"
    }

    // MARK: - Small pieces

    private func label(_ label: ReportStrings.Label) -> String {
        HTMLText.escape(strings[label])
    }

    private func optional(_ text: String?) -> String {
        text.map { HTMLText.isolate($0) } ?? "—"
    }

    private func approvalBadge(_ approved: Bool) -> String {
        approved
            ? "<span class=\"badge approved\">✓ \(label(.approved))</span>"
            : "<span class=\"badge open\">\(label(.notApproved))</span>"
    }
}
