/// Why a consolidated report could not be built. The message is one line a person can act on.
public struct ReportError: Error, Hashable, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }

    static func unknownPlan(_ plan: String, known: [String]) -> ReportError {
        let list = known.isEmpty ? "this replica holds no plans" : "plans: \(known.joined(separator: ", "))"
        return ReportError("no plan '\(plan)' in this replica (\(list))")
    }

    static func badPeriod(_ period: String) -> ReportError {
        ReportError("'\(period)' is not a period: write a year (2017), a quarter (2017-Q1) or a month (2017-03)")
    }

    static func unknownLanguage(_ language: String) -> ReportError {
        ReportError(
            "'\(language)' is not a report language: use one of \(ReportStrings.languages.joined(separator: ", "))")
    }
}
