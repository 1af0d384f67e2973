import Foundation
import PlanSyncCore
import PlanSyncReports
import PlanSyncWorkflows

extension PageRoutes {
    struct PlanItem { let id, href: String; let title: LocalText; let status: String? }

    func plansPage(_ visit: PageVisit) async throws -> PageContent {
        let schema = visit.workspace.schema
        let plans = try await visit.workspace.records()
            .filter { $0.collection == "plan" && !$0.isDeleted }
            .map { plan in
                PlanItem(
                    id: plan.id, href: "/plans/\(Self.pathSegment(plan.id))",
                    title: LocalText(plan, "title", language: visit.language, schema: schema),
                    status: plan.value(of: "status", schema: schema)?.text)
            }
        let body = renderer.render("plans", ["t": visit.strings.words, "plans": plans, "noPlans": plans.isEmpty])
        return PageContent(title: visit.strings[.plans], body: body)
    }

    // MARK: - One plan

    struct OfficeStatus { let office, status: String }
    struct ActivityItem {
        let id, code, href: String
        let title: LocalText
        let status: String?
        let focalPoints: LocalText?
        let timeFrame: LocalText?
        let reports: [OfficeStatus]
        let writeHref: String?
        let related: [ActivityItem]
    }
    struct SectionItem { let id, code: String; let title: LocalText; let activities: [ActivityItem] }
    struct PeriodOption { let value: String; let selected: Bool }

    func planPage(_ visit: PageVisit, plan: String) async throws -> PageContent {
        let schema = visit.workspace.schema
        let records = try await visit.workspace.records(prefix: plan).filter { !$0.isDeleted }
        guard let planRecord = records.first(where: { $0.id == plan && $0.collection == "plan" }) else {
            throw PageRefusal.notFound("no plan '\(plan)' here (see /plans)")
        }
        func text(_ record: RecordState, _ field: String) -> String? {
            guard let value = record.value(of: field, schema: schema)?.text, !value.isEmpty else { return nil }
            return value
        }
        let reports = records.filter { $0.collection == "report" }
        let periods = Set(reports.compactMap { text($0, "period") }).sorted(by: >)
        let period = try Self.period(visit.request.query("period")) ?? periods.first
        let reportsByActivity = Dictionary(grouping: reports.filter { text($0, "period") == period }) {
            text($0, "activity") ?? ""
        }
        let children = Dictionary(grouping: records.filter { ["activity", "related"].contains($0.collection) }) {
            text($0, $0.collection == "activity" ? "section" : "activity") ?? ""
        }
        let writes = visit.writesReports
        func item(_ record: RecordState) -> ActivityItem {
            let statuses = (reportsByActivity[record.id] ?? []).compactMap { report -> OfficeStatus? in
                guard let office = text(report, "office") else { return nil }
                return OfficeStatus(office: office, status: visit.strings.report.status(text(report, "status")))
            }.sorted { $0.office < $1.office }
            let focal = text(record, "focal_points").map { _ in
                LocalText(record, "focal_points", language: visit.language, schema: schema)
            }
            let write = period.map { "&period=\(Self.queryValue($0))" } ?? ""
            return ActivityItem(
                id: record.id, code: text(record, "code") ?? record.id, href: Self.activityHref(record.id),
                title: LocalText(record, "title", language: visit.language, schema: schema),
                status: text(record, "status").map { visit.strings.report.status($0) },
                focalPoints: focal.map {
                    LocalText(plain: $0.text.split(separator: "\n").joined(separator: "; "), language: $0.lang)
                },
                timeFrame: text(record, "time_frame").map { _ in
                    LocalText(record, "time_frame", language: visit.language, schema: schema)
                },
                reports: statuses,
                writeHref: writes ? "/reports/new?activity=\(Self.queryValue(record.id))\(write)" : nil,
                related: record.collection == "activity"
                    ? (children[record.id] ?? []).filter { $0.collection == "related" }.sorted(by: PlanOutline.inOrder)
                        .map(item) : [])
        }
        let sections = records.filter { $0.collection == "section" && text($0, "plan") == plan }
            .sorted(by: PlanOutline.inOrder)
            .map { section in
                SectionItem(
                    id: section.id, code: text(section, "code") ?? section.id,
                    title: LocalText(section, "title", language: visit.language, schema: schema),
                    activities: (children[section.id] ?? []).filter { $0.collection == "activity" }
                        .sorted(by: PlanOutline.inOrder).map(item))
            }
        let title = LocalText(planRecord, "title", language: visit.language, schema: schema)
        let body = renderer.render(
            "plan",
            [
                "t": visit.strings.words, "plan": plan, "planTitle": title, "sections": sections,
                "periods": periods.map { PeriodOption(value: $0, selected: $0 == period) },
                "hasPeriods": !periods.isEmpty, "hasReport": period != nil, "period": period ?? "",
                "reportHref": "/reports/\(Self.pathSegment(plan))/\(Self.pathSegment(period ?? ""))",
            ])
        return PageContent(title: title.text, body: body)
    }

    // MARK: - One activity

    struct FieldItem { let name: String; let value: String; let conflicted: Bool }
    struct TranslationItem { let field, language, text, status: String; let stale: Bool; let dir: String }
    struct ConflictItem { let field: String; let language: String?; let count: Int }
    struct ReportItem { let office, period, status: String }

    func activityPage(_ visit: PageVisit, id: String) async throws -> PageContent {
        let schema = visit.workspace.schema
        guard let record = try await visit.workspace.record(id), !record.isDeleted,
            ["activity", "related"].contains(record.collection)
        else { throw PageRefusal.notFound("no activity '\(id)' here (see /plans)") }
        let view = RecordView(record, schema: schema)
        let fields = view.fields.map {
            FieldItem(name: $0.name, value: $0.value.text, conflicted: $0.candidates != nil)
        }
        var translations: [TranslationItem] = []
        for field in schema.collection(record.collection)?.fields ?? [] where field.translatable {
            guard !record.sourceText(of: field.name, schema: schema).isEmpty else { continue }
            for language in Schema.languages {
                let translation = record.translation(of: field.name, language: language, schema: schema)
                translations.append(
                    TranslationItem(
                        field: field.name, language: language, text: translation?.text ?? "",
                        status: translation?.status.rawValue ?? TranslationStatus.untranslated.rawValue,
                        stale: translation?.stale ?? false, dir: language == "ar" ? "rtl" : "ltr"))
            }
        }
        let conflicts =
            record.conflictedFields(schema: schema).map {
                ConflictItem(field: $0, language: nil, count: record.conflict(of: $0, schema: schema).count)
            }
            + record.conflictedTranslations(schema: schema).map { language, field in
                ConflictItem(
                    field: field, language: language,
                    count: record.translation(of: field, language: language, schema: schema)?.candidates.count ?? 0)
            }
        let reports = try await visit.workspace.records(prefix: id)
            .filter { $0.collection == "report" && !$0.isDeleted }
            .map { report in
                ReportItem(
                    office: report.value(of: "office", schema: schema)?.text ?? "",
                    period: report.value(of: "period", schema: schema)?.text ?? "",
                    status: visit.strings.report.status(report.value(of: "status", schema: schema)?.text))
            }
            .sorted { ($0.period, $0.office) > ($1.period, $1.office) }
        let title = LocalText(record, "title", language: visit.language, schema: schema)
        let plan = RecordID.plan(of: id)
        let body = renderer.render(
            "activity",
            [
                "t": visit.strings.words, "id": id, "title": title, "fields": fields, "translations": translations,
                "conflicts": conflicts, "hasConflicts": !conflicts.isEmpty, "reports": reports,
                "hasReports": !reports.isEmpty, "planHref": "/plans/\(Self.pathSegment(plan))",
            ])
        return PageContent(title: title.text, body: body)
    }

    // MARK: - Links

    /// `/plans/PLAN/activity/CODE/…` for an activity id `PLAN/CODE/…`.
    static func activityHref(_ id: String) -> String {
        let segments = id.split(separator: "/").map { pathSegment(String($0)) }
        return "/plans/\(segments.first ?? "")/activity/\(segments.dropFirst().joined(separator: "/"))"
    }

    static func pathSegment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~"))) ?? text
    }

    static func queryValue(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~/"))) ?? text
    }

    /// A period asked for, written as the reports write it, or nil when none was asked for.
    static func period(_ text: String?) throws -> String? {
        guard let text else { return nil }
        do {
            return try Period(written: text).description
        } catch {
            throw PageRefusal.badRequest(error.description)
        }
    }
}
