import Foundation
import PlanSyncCore
import PlanSyncReplica

/// An office's progress report on one activity for one period, as a person writes it.
public struct ReportDraft: Sendable, Hashable {
    public var activity: String
    public var office: String
    public var period: String
    public var status: String
    public var narrative: String?
    /// The narrative's language; nil means English when a narrative is given.
    public var language: String?
    /// Indicator values as (name, value); each replaces that indicator's earlier value.
    public var indicators: [Indicator]

    public struct Indicator: Sendable, Hashable {
        public let name: String
        public let value: String

        /// `NAME=VALUE`, trimmed, or nil when either side is blank or spans lines.
        public init?(_ text: String) {
            guard let equals = text.firstIndex(of: "=") else { return nil }
            let name = text[..<equals].trimmingCharacters(in: .whitespaces)
            let value = text[text.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, !value.isEmpty, !name.contains("\n"), !value.contains("\n") else { return nil }
            (self.name, self.value) = (name, value)
        }

        var element: String { "\(name)=\(value)" }
    }

    public init(
        activity: String, office: String, period: String, status: String, narrative: String? = nil,
        language: String? = nil, indicators: [Indicator] = []
    ) {
        (self.activity, self.office, self.period, self.status) = (activity, office, period, status)
        (self.narrative, self.language, self.indicators) = (narrative, language, indicators)
    }

    /// The report's id: one record per (activity, office, period), so two devices of one office reporting
    /// offline on the same activity and period write one record.
    public var id: String { Self.id(activity: activity, office: office, period: period) }

    /// The id of the report of `office` on `activity` for `period`.
    public static func id(activity: String, office: String, period: String) -> String {
        "\(activity)/report/\(office)/\(period)"
    }
}

/// The report workflows a person runs — write a report, approve or reopen a period — for the command line
/// and any other front end alike.
public enum ReportWrites {
    public enum Outcome: Sendable { case added, updated }

    /// The office a report command acts for: the one given, else the office of this replica's token.
    public static func office(_ given: String?, in replica: some Workspace) async throws -> String {
        if let given { return given }
        guard let office = try await replica.principal().office else {
            throw WorkflowError("--office is needed: this replica's token does not belong to an office")
        }
        return office
    }

    /// Adds the report, or edits it if it exists: the status, the narrative and its language when given, the
    /// indicators named (replacing their earlier values), and who reported it when.
    @discardableResult
    public static func write(_ draft: ReportDraft, in replica: some Workspace, at now: Date = Date()) async throws -> Outcome {
        guard let target = try await replica.record(draft.activity), ["activity", "related"].contains(target.collection)
        else { throw WorkflowError("no activity '\(draft.activity)' in this replica (see 'plansync list')") }
        let name = try await replica.principal().name
        let id = draft.id
        let at = now.ISO8601Format()
        guard let existing = try await replica.record(id) else {
            let language = draft.narrative == nil && draft.language == nil ? "" : draft.language ?? "en"
            try await replica.save(creating: [
                NewRecord(
                    id: id, collection: "report",
                    values: [
                        .init("activity", draft.activity), .init("office", draft.office), .init("period", draft.period),
                        .init("status", draft.status), .init("narrative", draft.narrative ?? ""),
                        .init("language", language),
                        .init("indicators", draft.indicators.map(\.element).joined(separator: "\n")),
                        .init("reported_by", name), .init("reported_at", at),
                    ])
            ], editing: [])
            return .added
        }
        var edits: [(id: String, edit: Edit)] = [(id, .set(field: "status", value: draft.status))]
        if let narrative = draft.narrative { edits.append((id, .set(field: "narrative", value: narrative))) }
        if draft.language != nil || draft.narrative != nil {
            edits.append((id, .set(field: "language", value: draft.language ?? "en")))
        }
        for indicator in draft.indicators {
            for element in existing.fields["indicators", default: []].map(\.value)
            where element.hasPrefix(indicator.name + "=") && element != indicator.element {
                edits.append((id, .remove(field: "indicators", element: element)))
            }
            edits.append((id, .add(field: "indicators", element: indicator.element)))
        }
        edits += [(id, .set(field: "reported_by", value: name)), (id, .set(field: "reported_at", value: at))]
        try await replica.save(edits)
        return .updated
    }

    /// Writes the approval state (`approved` or `open`) of an office and period, creating its record if needed.
    public static func setApproval(
        _ state: String, office: String, period: String, in replica: some Workspace, at now: Date = Date()
    ) async throws {
        let name = try await replica.principal().name
        let id = Approval.id(office: office, period: period)
        let at = now.ISO8601Format()
        if try await replica.record(id) != nil {
            try await replica.save([
                (id, .set(field: "state", value: state)), (id, .set(field: "by", value: name)),
                (id, .set(field: "at", value: at)),
            ])
        } else {
            try await replica.save(creating: [
                NewRecord(
                    id: id, collection: "approval",
                    values: [
                        .init("office", office), .init("period", period), .init("state", state), .init("by", name),
                        .init("at", at),
                    ])
            ], editing: [])
        }
    }
}
