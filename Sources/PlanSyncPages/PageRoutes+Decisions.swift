import Foundation
import PlanSyncCore
import PlanSyncWorkflows

extension PageRoutes {
    struct CandidateItem { let value: String }
    struct ChangeItem { let field, current, proposed: String }
    struct DecisionItem {
        let record, field, language, heldID, valueID, dir: String
        let hasField, hasLanguage, held, canDecide: Bool
        let candidates: [CandidateItem]
        let changes: [ChangeItem]
    }

    /// Every open decision (`OpenDecision.all`), candidates side by side; the count shown is their number.
    func decisionsPage(_ visit: PageVisit) async throws -> PageContent {
        let decisions = try await OpenDecision.all(in: visit.workspace)
        let schema = visit.workspace.schema
        // Every decision's record (a held edit's own, or the one in conflict) waits on a decision: one read.
        let awaiting = Dictionary(
            try await visit.workspace.recordsAwaitingDecisions().map { ($0.id, $0) }, uniquingKeysWith: { $1 })
        var items: [DecisionItem] = []
        for (index, decision) in decisions.enumerated() {
            let target: WriteTarget
            if decision.held != nil {
                target = .field("outcome")
            } else if let language = decision.language {
                target = .translation(field: decision.field ?? "", language: language)
            } else {
                target = .field(decision.field ?? "")
            }
            let record = awaiting[decision.held ?? decision.id]
            let canDecide = record.map { visit.principal.refusal(of: target, on: $0, schema: schema) == nil } ?? false
            items.append(
                DecisionItem(
                    record: decision.id, field: decision.field ?? "", language: decision.language ?? "",
                    heldID: decision.held ?? "", valueID: "value-\(index)",
                    dir: decision.language == "ar" ? "rtl" : "auto",
                    hasField: decision.field != nil, hasLanguage: decision.language != nil,
                    held: decision.held != nil, canDecide: canDecide,
                    candidates: (decision.candidates ?? []).map(CandidateItem.init),
                    changes: (decision.changes ?? []).map {
                        ChangeItem(field: $0.field, current: $0.approved, proposed: $0.proposed)
                    }))
        }
        let body = renderer.render(
            "decisions",
            [
                "t": visit.strings.words, "csrf": visit.csrf, "decisions": items, "count": items.count,
                "noDecisions": items.isEmpty,
            ])
        return PageContent(title: visit.strings[.decisions], body: body)
    }

    /// Keeps a candidate, or writes a new value, for one field or translation in conflict.
    func resolve(_ visit: PageVisit, _ form: PageForm) async throws -> WriteOutcome {
        let back = "/conflicts"
        guard let record = form.text("record"), let field = form.text("field") else {
            throw WriteRefusal(back: back, notice: .error(visit.strings[.badForm], "record and field are needed"))
        }
        guard let value = form["value"]?.replacingOccurrences(of: "\r\n", with: "\n"),
            !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        else {
            throw WriteRefusal(back: back, notice: .error(visit.strings[.badForm], "write a value to keep"))
        }
        let language = form.text("language")
        if let language, !Schema.storedLanguages.contains(language) {
            throw WriteRefusal(back: back, notice: .error(visit.strings[.badForm], "no language '\(language)'"))
        }
        do {
            try await OpenDecision.resolve(record, field: field, language: language, value: value, in: visit.workspace)
        } catch {
            throw WriteRefusal(back: back, notice: .error(visit.strings[.refused], Self.line(error)))
        }
        let what = language.map { "\(record) \(field) [\($0)]" } ?? "\(record) \(field)"
        return WriteOutcome(back: back, notice: .flash(visit.strings[.resolvedNotice], what))
    }

    /// Accepts or dismisses an office's held edit of an approved report.
    func decideHeld(_ visit: PageVisit, _ form: PageForm, accept: Bool) async throws -> WriteOutcome {
        let back = "/conflicts"
        guard let id = form.text("held") else {
            throw WriteRefusal(back: back, notice: .error(visit.strings[.badForm], "held is needed"))
        }
        do {
            let held = try await PendingHeldEdit.named(id, in: visit.workspace)
            if accept {
                try await held.accept(in: visit.workspace)
            } else {
                try await held.dismiss(in: visit.workspace)
            }
            let notice = visit.strings[accept ? .acceptedNotice : .dismissedNotice]
            return WriteOutcome(back: back, notice: .flash(notice, held.id))
        } catch {
            throw WriteRefusal(back: back, notice: .error(visit.strings[.refused], Self.line(error)))
        }
    }
}
