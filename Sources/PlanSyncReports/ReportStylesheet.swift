/// The HTML report's inline stylesheet. Logical properties (`inline-start`, `text-align: start`) make one
/// stylesheet serve left-to-right and right-to-left reports.
enum ReportStylesheet {
    static var css: String {
        base + statusRules + print
    }

    private static let base = """

        :root { color-scheme: light; --ink: #1f2328; --muted: #57606a; --line: #d0d7de; --head: #f3f4f6; }
        * { box-sizing: border-box; }
        body { margin: 0; background: #ffffff; color: var(--ink); font: 14px/1.45 "DejaVu Sans", "Noto Sans", \
        "Segoe UI", Arial, sans-serif; }
        main { max-width: 1100px; margin: 0 auto; padding: 24px 32px 48px; }
        h1 { font-size: 26px; margin: 0 0 6px; }
        h2 { font-size: 20px; margin: 34px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--ink); }
        h3 { font-size: 15px; margin: 20px 0 6px; }
        h4 { font-size: 14px; margin: 14px 0 6px; padding-inline-start: 18px; }
        article.related table, article.related p.muted { margin-inline-start: 18px; width: calc(100% - 18px); }
        .meta { color: var(--muted); margin: 0 0 8px; }
        .label { color: var(--muted); font-size: 12px; font-weight: 600; }
        .kind { color: var(--muted); font-weight: normal; font-size: 12px; }
        .muted { color: var(--muted); }
        .marker { color: #9a3412; font-size: 12px; font-style: italic; font-weight: normal; }
        table { border-collapse: collapse; width: 100%; margin: 6px 0 14px; }
        caption { text-align: start; font-weight: 600; padding: 4px 0; }
        th, td { border: 1px solid var(--line); padding: 5px 8px; text-align: start; vertical-align: top; }
        th { background: var(--head); font-weight: 600; }
        .number { text-align: end; font-variant-numeric: tabular-nums; }
        tr.sum th, tr.sum td { background: var(--head); }
        td.office, .when { white-space: nowrap; }
        td.narrative { width: 42%; }
        td.narrative p { margin: 2px 0 6px; }
        .translation { border-inline-start: 3px solid var(--line); padding-inline-start: 8px; margin-top: 6px; }
        ul.indicators, ul.changes { margin: 0; padding-inline-start: 16px; }
        .status { display: inline-block; padding: 1px 8px; border-radius: 10px; font-weight: 600; \
        white-space: nowrap; font-size: 12px; color: var(--ink); background: \(StatusPalette.unset.tint); }
        .badge { font-size: 12px; white-space: nowrap; }
        .badge.approved { color: #116329; font-weight: 600; }
        .badge.open { color: var(--muted); }
        figure.chart { margin: 8px 0 18px; }
        figure.chart figcaption { font-weight: 600; margin-bottom: 4px; }
        figure.chart svg { max-width: 100%; height: auto; display: block; }

        """

    /// One rule per status, from the palette, so the chart and the labels cannot drift apart.
    private static var statusRules: String {
        StatusPalette.swatches.keys.sorted().map { status in
            let swatch = StatusPalette.swatches[status]!
            return ".status-\(status) { background: \(swatch.tint); }\n"
        }.joined()
    }

    private static let print = """
        @page { margin: 15mm; }
        @media print {
        body { font-size: 10pt; }
        main { max-width: none; padding: 0; }
        h2, h3, h4 { break-after: avoid; }
        article, tr, figure { break-inside: avoid; }
        * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        }

        """
}
