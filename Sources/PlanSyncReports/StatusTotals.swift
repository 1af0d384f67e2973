import PlanSyncCore

/// How many reports each office gave each status, over a section or the whole plan.
public struct StatusTotals: Hashable, Sendable {
    /// One office's counts.
    public struct Row: Hashable, Sendable {
        public var office: String
        /// Status (one of `ProgressStatus.values`) → number of reports.
        public var counts: [String: Int]
        /// Reports with no status set, kept apart so they are not mistaken for "not started".
        public var unset: Int

        public init(office: String, counts: [String: Int] = [:], unset: Int = 0) {
            self.office = office
            self.counts = counts
            self.unset = unset
        }

        public func count(_ status: String) -> Int { counts[status] ?? 0 }

        public var total: Int { counts.values.reduce(unset, +) }
    }

    /// The statuses counted, in the order a reader expects them.
    public static let statuses = ProgressStatus.values

    /// One row per office that reported, sorted by office code.
    public var rows: [Row]

    public init(rows: [Row]) {
        self.rows = rows
    }

    /// Counts the reports per office and status.
    public init(reports: [OfficeReport]) {
        var byOffice: [String: Row] = [:]
        for report in reports {
            var row = byOffice[report.office] ?? Row(office: report.office)
            if let status = report.status {
                row.counts[status, default: 0] += 1
            } else {
                row.unset += 1
            }
            byOffice[report.office] = row
        }
        rows = byOffice.values.sorted { $0.office < $1.office }
    }

    public var isEmpty: Bool { rows.isEmpty }

    /// The column sums over every office.
    public var sum: Row {
        var sum = Row(office: "")
        for row in rows {
            sum.unset += row.unset
            for (status, count) in row.counts { sum.counts[status, default: 0] += count }
        }
        return sum
    }

    /// Some report has no status, so a "no status" column is needed.
    public var hasUnset: Bool { rows.contains { $0.unset > 0 } }
}
