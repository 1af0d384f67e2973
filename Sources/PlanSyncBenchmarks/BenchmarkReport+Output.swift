import Foundation
import PlanSyncCore

extension BenchmarkReport {
    /// The report as one JSON object (sorted keys, so two runs diff cleanly).
    public func json() throws -> String {
        try WireJSON.pretty(self)
    }

    /// The report as a plain-text table: one row per figure, the baseline and ratio beside it.
    public func table() -> String {
        var rows = [["scenario", "measure", "figure", "baseline", "ratio", "target"]]
        for scenario in scenarios {
            for (index, figure) in scenario.figures.enumerated() {
                rows.append([
                    index == 0 ? scenario.name : "",
                    figure.measure,
                    figure.unit.isEmpty ? Self.format(figure.value) : Self.format(figure.value) + " " + figure.unit,
                    figure.baseline.map(Self.describe) ?? "",
                    figure.ratio.map { Self.format($0) + "× " + (figure.ratioMeaning ?? "") } ?? "",
                    figure.target.map { target in
                        target + (figure.met.map { $0 ? "  met" : "  NOT met" } ?? "")
                    } ?? "",
                ])
            }
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        var lines = [
            "plansync-bench --scale \(scale.rawValue) (\(build) build), \(date)",
            "machine: \(machine.summary)",
            "",
        ]
        for (index, row) in rows.enumerated() {
            let cells = row.enumerated().map { column, cell in
                cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }
            var line = cells.joined(separator: "  ")
            while line.last == " " { line.removeLast() }
            lines.append(line)
            if index == 0 { lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")) }
        }
        let notes = scenarios.flatMap { scenario in
            scenario.figures.compactMap { figure in figure.note.map { "- \(scenario.name), \(figure.measure): \($0)" } }
        }
        if !notes.isEmpty { lines += [""] + notes }
        lines.append("")
        lines.append("total \(Self.format(seconds)) s")
        return lines.joined(separator: "\n")
    }

    static func describe(_ baseline: Baseline) -> String {
        guard let value = baseline.value else { return "\(baseline.name): \(baseline.unavailable ?? "unavailable")" }
        return "\(baseline.name) \(format(value)) \(baseline.unit)"
    }

    /// Whole numbers as they are, others to three significant figures, thousands separated: 1,234,567 · 123 ·
    /// 12.3 · 1.23 · 0.123.
    static func format(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        let magnitude = abs(value)
        if magnitude >= 1_000 || value == value.rounded() {
            return grouped(Int(value.rounded()))
        }
        let decimals = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3
        return String(format: "%.\(decimals)f", value)
    }

    private static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return value < 0 ? "-" + result : result
    }
}

extension Double {
    /// The number as the report prints it (`BenchmarkReport.format`).
    var shown: String { BenchmarkReport.format(self) }
}
