/// Status counts per section and office as an inline SVG: one stacked bar per office under each section, a
/// legend, a count on every segment wide enough to hold one, and the total at the end of each bar.
///
/// Right-to-left reports get the mirror image (labels on the right, bars growing leftwards) by mirroring the
/// x coordinates and setting `direction="rtl"`, under which `text-anchor` keeps its meaning.
struct StatusChart {
    let report: ConsolidatedReport
    let strings: ReportStrings

    private let width = 960.0
    private let labelWidth = 150.0
    private let totalWidth = 44.0
    private let rowHeight = 26.0
    private let barHeight = 18.0
    private let headerHeight = 28.0
    private let legendHeight = 34.0
    private let axisHeight = 26.0
    private let ink = "#1f2328"
    private let muted = "#57606a"

    /// The statuses drawn, in legend order; "no status" only when some report lacks one.
    private var statuses: [String?] {
        let unset = report.sections.contains { $0.totals.hasUnset }
        return StatusTotals.statuses.map { Optional($0) } + (unset ? [nil] : [])
    }

    private var barStart: Double { labelWidth + 10 }
    private var barWidth: Double { width - barStart - totalWidth }

    var svg: String {
        let maxTotal = max(1, report.sections.flatMap(\.totals.rows).map(\.total).max() ?? 0)
        let scale = barWidth / Double(maxTotal)
        var body = legend()
        var y = legendHeight
        let gridTop = y
        var rows = ""
        for section in report.sections {
            let title = "\(section.code) · \(section.title.text)"
            rows += text(truncated(title, to: 110), x: 0, y: y + 19, anchor: "start", bold: true)
            y += headerHeight
            if section.totals.isEmpty {
                rows += text("—", x: barStart, y: y + 17, anchor: "start", fill: muted)
                y += rowHeight
            }
            for row in section.totals.rows {
                rows += bar(row, y: y, scale: scale)
                y += rowHeight
            }
        }
        body += grid(top: gridTop, bottom: y, maxTotal: maxTotal, scale: scale) + rows
        let height = y + axisHeight
        let label = HTMLText.escape(strings[.chartTitle])
        return """
            <svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="\(label)" width="\(number(width))" \
            height="\(number(height))" viewBox="0 0 \(number(width)) \(number(height))" \
            direction="\(strings.isRightToLeft ? "rtl" : "ltr")" font-family="DejaVu Sans, Arial, sans-serif" \
            font-size="13"><title>\(label)</title>\(body)</svg>
            """
    }

    // MARK: - Parts

    private func legend() -> String {
        var parts = ""
        var x = 0.0
        for status in statuses {
            let swatch = StatusPalette.swatch(status)
            let name = strings.status(status)
            parts += rect(x: x, y: 8, width: 16, height: 16, fill: swatch.fill)
            parts += text(name, x: x + 22, y: 21, anchor: "start")
            // No text metrics in SVG without scripts: an estimate per character, generous for Arabic shaping.
            x += 22 + Double(name.count) * 8 + 26
        }
        return "<g class=\"legend\">\(parts)</g>"
    }

    private func grid(top: Double, bottom: Double, maxTotal: Int, scale: Double) -> String {
        let step = max(1, (maxTotal + 4) / 5)
        var lines = ""
        for tick in stride(from: 0, through: maxTotal, by: step) {
            let x = barStart + Double(tick) * scale
            lines += line(x: x, top: top, bottom: bottom)
            lines += text("\(tick)", x: x, y: bottom + 17, anchor: "middle", fill: muted)
        }
        return "<g class=\"grid\">\(lines)</g>"
    }

    private func bar(_ row: StatusTotals.Row, y: Double, scale: Double) -> String {
        var parts = text(truncated(row.office, to: 18), x: 12, y: y + 17, anchor: "start")
        var x = barStart
        for status in statuses {
            let count = status.map { row.count($0) } ?? row.unset
            guard count > 0 else { continue }
            let swatch = StatusPalette.swatch(status)
            let segment = Double(count) * scale
            let tip = "\(row.office) · \(strings.status(status)): \(count)"
            parts += rect(x: x, y: y + 4, width: segment, height: barHeight, fill: swatch.fill, title: tip)
            if segment >= 18 {
                parts += text("\(count)", x: x + segment / 2, y: y + 17, anchor: "middle", fill: swatch.text)
            }
            x += segment
        }
        parts += text("\(row.total)", x: x + 6, y: y + 17, anchor: "start", bold: true)
        return "<g class=\"bar\">\(parts)</g>"
    }

    // MARK: - Primitives

    /// An x coordinate on the page: as given left to right, mirrored right to left.
    private func pageX(_ x: Double, width: Double = 0) -> Double {
        strings.isRightToLeft ? self.width - x - width : x
    }

    private func rect(x: Double, y: Double, width: Double, height: Double, fill: String, title: String? = nil)
        -> String
    {
        let tip = title.map { "<title>\(HTMLText.escape($0))</title>" } ?? ""
        return "<rect x=\"\(number(pageX(x, width: width)))\" y=\"\(number(y))\" width=\"\(number(width))\" "
            + "height=\"\(number(height))\" fill=\"\(fill)\">\(tip)</rect>"
    }

    private func text(
        _ content: String, x: Double, y: Double, anchor: String, fill: String? = nil, bold: Bool = false
    ) -> String {
        var attributes = "x=\"\(number(pageX(x)))\" y=\"\(number(y))\" text-anchor=\"\(anchor)\""
        attributes += " fill=\"\(fill ?? ink)\""
        if bold { attributes += " font-weight=\"600\"" }
        return "<text \(attributes)>\(HTMLText.escape(content))</text>"
    }

    private func line(x: Double, top: Double, bottom: Double) -> String {
        let position = number(pageX(x))
        return "<line x1=\"\(position)\" x2=\"\(position)\" y1=\"\(number(top))\" y2=\"\(number(bottom))\" "
            + "stroke=\"#d0d7de\" stroke-width=\"1\"/>"
    }

    private func truncated(_ text: String, to length: Int) -> String {
        text.count <= length ? text : String(text.prefix(length - 1)) + "…"
    }

    /// A coordinate with at most one decimal, so the markup stays short and stable across platforms.
    private func number(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        return tenths.truncatingRemainder(dividingBy: 10) == 0 ? "\(Int(tenths) / 10)" : "\(tenths / 10)"
    }
}
