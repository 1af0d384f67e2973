import Foundation

/// The central team's approval of one office's reports for one period: once approved, the numbers stop
/// moving — the office's own edits are refused (or, made offline before the approval arrived, held for the
/// central team to accept or dismiss).
public enum Approval {
    /// The id of the approval record of an office and period.
    public static func id(office: String, period: String) -> String {
        "approvals/\(office)/\(period)"
    }

    /// The approval record that governs a report, by the report's office and period.
    public static func id(governing report: RecordState, schema: Schema = .planSync) -> String? {
        guard governs(report.collection), let office = report.value(of: "office", schema: schema)?.text,
            let period = report.value(of: "period", schema: schema)?.text
        else { return nil }
        return id(office: office, period: period)
    }

    /// Whether an approval can lock records of `collection` (only reports).
    public static func governs(_ collection: String) -> Bool {
        collection == "report"
    }

    /// Whether an approval record says the period is approved.
    public static func isApproved(_ approval: RecordState?, schema: Schema = .planSync) -> Bool {
        guard let approval, !approval.isDeleted else { return false }
        return approval.value(of: "state", schema: schema)?.text == "approved"
    }

    /// Why an office may not change `report` given its approval, or nil. The central team always may.
    public static func refusal(of report: RecordState, approval: RecordState?, by principal: Principal) -> String? {
        guard principal.role == .office, isApproved(approval) else { return nil }
        return "the central team approved this office's reports for this period; ask them to reopen it"
    }
}

/// An office's edit of an approved report, kept (collection `held`) for the central team to accept or
/// dismiss instead of being applied. The server writes it; the client's `conflicts` and `report accept`, and
/// the consolidated report, read it. Its `changes` field holds what the office proposed, field by field, as a
/// JSON object with sorted keys.
public struct HeldProposal: Sendable, Hashable {
    public let id: String
    public let report: String
    public let office: String
    public let period: String
    /// Field name → the value the office proposed.
    public let changes: [String: String]
    /// `changes` as written, when it could not be read as an object (an older or foreign writer).
    public let unreadableChanges: String?
    public let proposedBy: String?
    /// Still waiting for the central team's accept or dismiss.
    public let pending: Bool

    /// Reads a `held` record.
    public init(_ record: RecordState, schema: Schema = .planSync) {
        func text(_ field: String) -> String? { record.value(of: field, schema: schema)?.text }
        id = record.id
        report = text("report") ?? ""
        office = text("office") ?? ""
        period = text("period") ?? ""
        let raw = text("changes") ?? ""
        let parsed = try? JSONDecoder().decode([String: String].self, from: Data(raw.utf8))
        changes = parsed ?? [:]
        unreadableChanges = parsed == nil && !raw.allSatisfy(\.isWhitespace) ? raw : nil
        proposedBy = text("proposed_by")
        pending = (text("outcome") ?? "pending") == "pending"
    }

    /// One field a held edit would change: the approved report's value as it stands, and the office's.
    public struct Difference: Sendable, Hashable, Codable {
        public let field: String
        public let approved: String
        public let proposed: String
    }

    /// The fields whose proposed value differs from `report` as it stands (nil: not in this replica), in the
    /// schema's order: what accepting the edit would change. A field proposed unchanged is left out.
    public func differences(from report: RecordState?, schema: Schema = .planSync) -> [Difference] {
        let order = schema.collection("report")?.fields.map(\.name) ?? []
        func rank(_ field: String) -> (Int, String) { (order.firstIndex(of: field) ?? .max, field) }
        return changes.keys.sorted { rank($0) < rank($1) }.compactMap { field in
            let approved = report?.value(of: field, schema: schema)?.text ?? ""
            let proposed = changes[field] ?? ""
            return approved == proposed ? nil : Difference(field: field, approved: approved, proposed: proposed)
        }
    }

    /// The record that holds `incoming`'s changes to `report` (the fields in `targets`), proposed by `proposer`.
    /// Its id is fixed by the pusher's latest dot, so a replayed push holds the same edit once.
    public static func record(
        holding incoming: RecordState, of report: RecordState, targets: Set<WriteTarget>, pusher: ReplicaID,
        proposer: String, clock: inout HybridLogicalClock, now: UInt64, schema: Schema = .planSync
    ) throws(RecordError) -> RecordState {
        var changes: [String: String] = [:]
        for target in targets {
            if case .field(let name) = target { changes[name] = incoming.value(of: name, schema: schema)?.text ?? "" }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = (try? encoder.encode(changes)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        let new = NewRecord(
            id: "\(report.id)/held/\(pusher.rawValue)-\(incoming.context[pusher])", collection: "held",
            values: [
                .init("report", report.id), .init("office", report.value(of: "office", schema: schema)?.text ?? ""),
                .init("period", report.value(of: "period", schema: schema)?.text ?? ""), .init("changes", json),
                .init("proposed_by", proposer), .init("outcome", "pending"),
            ])
        return try new.state(schema: schema) { Writer(time: try clock.tick(now: now), author: proposer) }
    }
}
