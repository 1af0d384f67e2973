import Foundation
import Hummingbird
import PlanSyncCore
import PlanSyncReports
import PlanSyncWorkflows

extension PageRoutes {
    struct ReportRow {
        let id, activity, activityHref, status, editHref: String
        let approved: Bool
        let held: Int
        let conflicted: Bool
    }
    struct OfficeBlock { let office: String; let approved: Bool; let rows: [ReportRow] }
    struct Link { let href, label: String }

    /// Offices × activities for one period (the latest by default): reported, status, approved, held; the
    /// central team's approve and reopen per office.
    func reportsPage(_ visit: PageVisit) async throws -> PageContent {
        let all = try await ReportSummary.all(in: visit.workspace)
        let periods = Array(Set(all.map(\.period))).sorted(by: >)
        let period = try Self.period(visit.request.query("period")) ?? periods.first
        let held = Dictionary(grouping: try await PendingHeldEdit.pending(in: visit.workspace), by: \.report)
        let inPeriod = all.filter { $0.period == period }
        let offices = Dictionary(grouping: inPeriod, by: \.office).sorted { $0.key < $1.key }.map { office, reports in
            OfficeBlock(
                office: office, approved: reports.contains(where: \.approved),
                rows: reports.sorted { $0.activity < $1.activity }.map { report in
                    ReportRow(
                        id: report.id, activity: report.activity, activityHref: Self.activityHref(report.activity),
                        status: visit.strings.report.status(report.status),
                        editHref: "/reports/new?activity=\(Self.queryValue(report.activity))"
                            + "&period=\(Self.queryValue(report.period))&office=\(Self.queryValue(office))",
                        approved: report.approved, held: held[report.id]?.count ?? 0,
                        conflicted: !report.conflicts.isEmpty)
                })
        }
        let plans = Set(inPeriod.map { RecordID.plan(of: $0.activity) }).sorted()
        let writes = visit.writesReports
        var model: [String: Any] = [
            "t": visit.strings.words, "csrf": visit.csrf, "offices": offices, "noReports": offices.isEmpty,
            "periods": periods.map { PeriodOption(value: $0, selected: $0 == period) }, "hasPeriods": !periods.isEmpty,
            "period": period ?? "", "canApprove": visit.approves, "canReport": writes,
            "newHref": "/reports/new" + (period.map { "?period=\(Self.queryValue($0))" } ?? ""),
            "consolidated": plans.map { plan in
                Link(href: "/reports/\(Self.pathSegment(plan))/\(Self.pathSegment(period ?? ""))", label: plan)
            },
        ]
        model["editable"] = writes
        let body = renderer.render("reports", model)
        return PageContent(title: visit.strings[.reports], body: body)
    }

    func setApproval(_ visit: PageVisit, _ form: PageForm) async throws -> WriteOutcome {
        let period = form.text("period") ?? ""
        let back = "/reports" + ((try? Period(written: period)) == nil ? "" : "?period=\(Self.queryValue(period))")
        func refuse(_ line: String) -> WriteRefusal {
            WriteRefusal(back: back, notice: .error(visit.strings[.badForm], line))
        }
        guard let office = form.text("office") else { throw refuse("office is needed") }
        do {
            _ = try Period(written: period)
        } catch {
            throw refuse(error.description)
        }
        guard let state = form.text("state"), ["approved", "open"].contains(state) else {
            throw refuse("state must be approved or open")
        }
        do {
            try await ReportWrites.setApproval(state, office: office, period: period, in: visit.workspace)
        } catch {
            throw WriteRefusal(back: back, notice: .error(visit.strings[.refused], Self.line(error)))
        }
        let notice = visit.strings[state == "approved" ? .approvedNotice : .reopenedNotice]
        return WriteOutcome(back: back, notice: .flash(notice, "\(office) \(period)"))
    }

    // MARK: - An office's report

    struct Option { let value, label: String; let selected: Bool }

    /// The form an office (or the central team, for any office) writes or edits a report with.
    func reportForm(_ visit: PageVisit) async throws -> PageContent {
        if let refusal = ReportWrites.reportRefusal(for: visit.principal, schema: visit.workspace.schema) {
            throw PageRefusal(status: .forbidden, description: refusal)
        }
        let schema = visit.workspace.schema
        let request = visit.request
        let activity = request.query("activity")
        // A period the form was refused for comes back as written, to be corrected in place.
        let written = request.query("period")
        let period = written.flatMap { (try? Period(written: $0))?.description }
        let office = visit.namesOffice ? request.query("office") : visit.principal.office
        var existing: RecordState?
        if let activity, let period, let office {
            existing = try await visit.workspace.record(ReportDraft.id(activity: activity, office: office, period: period))
                .flatMap { $0.isDeleted || $0.collection != "report" ? nil : $0 }
        }
        func text(_ field: String) -> String? {
            (existing?.value(of: field, schema: schema)?.text).flatMap { $0.isEmpty ? nil : $0 }
        }
        let activities = try await visit.workspace.records()
            .filter { ["activity", "related"].contains($0.collection) && !$0.isDeleted }
            .map { record in
                let title = LocalText(record, "title", language: visit.language, schema: schema).text
                let line = title.split(separator: "\n").first.map(String.init) ?? ""
                return Option(
                    value: record.id, label: "\(record.id) · \(line.prefix(80))", selected: record.id == activity)
            }
        let status = text("status") ?? "on-track"
        let language = text("language") ?? visit.language
        let model: [String: Any] = [
            "t": visit.strings.words, "csrf": visit.csrf, "activities": activities, "period": written ?? "",
            "office": office ?? "", "askOffice": visit.namesOffice,
            "statuses": ProgressStatus.values.map {
                Option(value: $0, label: visit.strings.report.status($0), selected: $0 == status)
            },
            "languages": ReportLanguage.values.map {
                Option(value: $0, label: visit.strings.report.languageName($0), selected: $0 == language)
            },
            "narrative": text("narrative") ?? "",
            "indicators": (existing?.fields["indicators", default: []].map(\.value) ?? []).sorted()
                .joined(separator: "\n"),
        ]
        return PageContent(title: visit.strings[.writeReport], body: renderer.render("report-form", model))
    }

    /// Writes (or updates) a report with `ReportWrites.write`, as `plansync report add` does.
    func writeReport(_ visit: PageVisit, _ form: PageForm) async throws -> WriteOutcome {
        let activity = form.text("activity") ?? ""
        let period = form.text("period")?.trimmingCharacters(in: .whitespaces) ?? ""
        var formBack = "/reports/new?activity=\(Self.queryValue(activity))&period=\(Self.queryValue(period))"
        if visit.namesOffice, let office = form.text("office") { formBack += "&office=\(Self.queryValue(office))" }
        func refuse(_ line: String) -> WriteRefusal {
            WriteRefusal(back: formBack, notice: .error(visit.strings[.badForm], line))
        }
        // An office names its own office or none; another office's report is the core's to refuse when saved.
        let office: String
        do {
            office = try await ReportWrites.office(form.text("office"), in: visit.workspace)
        } catch {
            throw refuse("choose the office the report is for")
        }
        // One indicator a line; blank lines are the textarea's, not indicators.
        let indicators = (form.text("indicators") ?? "").split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let draft: ReportDraft
        do {
            draft = try ReportDraft.validated(
                activity: activity, office: office, period: period, status: form.text("status") ?? "",
                narrative: form.text("narrative"), language: form.text("language"), indicators: indicators)
        } catch {
            throw refuse(error.description)
        }
        do {
            try await ReportWrites.write(draft, in: visit.workspace)
        } catch {
            throw WriteRefusal(back: formBack, notice: .error(visit.strings[.refused], Self.line(error)))
        }
        return WriteOutcome(
            back: "/reports?period=\(Self.queryValue(period))", notice: .flash(visit.strings[.reportSaved], draft.id))
    }

    // MARK: - The consolidated report

    func consolidatedPage(_ visit: PageVisit, plan: String, period: String) async throws -> PageContent {
        let language = try reportLanguage(visit)
        let report = try await ConsolidatedReport.build(
            plan: plan, period: period, language: language, in: visit.workspace)
        let base = "/reports/\(Self.pathSegment(plan))/\(Self.pathSegment(period))"
        let model: [String: Any] = [
            "t": visit.strings.words, "content": report.htmlContent, "lang": language,
            "dir": ReportStrings(language: language).isRightToLeft ? "rtl" : "ltr",
            "htmlHref": "\(base)/report.html?lang=\(language)", "csvHref": "\(base)/report.csv?lang=\(language)",
            "languages": ReportStrings.languages.map {
                Link(href: "\(base)?lang=\($0)", label: visit.strings.report.languageName($0))
            },
        ]
        return PageContent(
            title: "\(visit.strings[.title]) · \(plan) · \(period)", body: renderer.render("consolidated", model))
    }

    func consolidatedFile(_ visit: PageVisit, plan: String, period: String, format: String) async throws -> Response {
        let language = try reportLanguage(visit)
        let report = try await ConsolidatedReport.build(
            plan: plan, period: period, language: language, in: visit.workspace)
        let format = ReportFormat(rawValue: format) ?? .html
        let type = format == .csv ? "text/csv; charset=utf-8" : "text/html; charset=utf-8"
        let name = "\(plan)-\(period)-\(language)".filter {
            $0.isASCII && ($0.isLetter || $0.isNumber || "-._".contains($0))
        }
        return PageResponse.download(report.rendered(as: format), type: type, filename: "\(name).\(format.rawValue)")
    }

    private func reportLanguage(_ visit: PageVisit) throws -> String {
        let language = visit.request.query("lang") ?? visit.language
        guard ReportStrings.languages.contains(language) else {
            throw PageRefusal.badRequest(
                "'\(language)' is not a report language: use one of \(ReportStrings.languages.joined(separator: ", "))")
        }
        return language
    }
}
