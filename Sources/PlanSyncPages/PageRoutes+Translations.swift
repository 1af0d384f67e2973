import Foundation
import Hummingbird
import PlanSyncCore
import PlanSyncTranslation
import PlanSyncWorkflows

extension PageRoutes {
    struct CoverageRow {
        let plan, language, percent, exportHref, reviewHref: String
        let units, translated, approved, draft, stale, missing: Int
        let needsReview: Bool
    }

    /// Coverage per plan and language, with the XLIFF export and the units that need review.
    func translationsPage(_ visit: PageVisit) async throws -> PageContent {
        let schema = visit.workspace.schema
        // A translator's own language first: the pages show what each role works on.
        let own = visit.principal.language
        let languages = Schema.languages.filter { $0 == own } + Schema.languages.filter { $0 != own }
        let coverage = Coverage.of(try await visit.workspace.records(), schema: schema)
        let rows = languages.flatMap { language in
            coverage.filter { $0.language == language }.map { row in
                let base = "/translations/\(Self.pathSegment(row.plan))/\(row.language)"
                return CoverageRow(
                    plan: row.plan, language: row.language,
                    percent: "\(row.units == 0 ? 100 : row.translated * 100 / row.units)%",
                    exportHref: "\(base)/export.xlf", reviewHref: "\(base)/review", units: row.units,
                    translated: row.translated, approved: row.approved, draft: row.draft, stale: row.stale,
                    missing: row.missing, needsReview: row.stale + row.draft > 0)
            }
        }
        let body = renderer.render("translations", ["t": visit.strings.words, "rows": rows])
        return PageContent(title: visit.strings[.translations], body: body)
    }

    struct ReviewItem { let record, field, source, text, status, href, dir, language: String; let stale, hasLink: Bool }

    /// The units of one plan in one language that need a reviewer: stale translations and drafts.
    func reviewPage(_ visit: PageVisit, plan: String, language: String) async throws -> PageContent {
        guard Schema.languages.contains(language) else {
            throw PageRefusal.badRequest(
                "no language '\(language)': use one of \(Schema.languages.joined(separator: ", "))")
        }
        let schema = visit.workspace.schema
        var items: [ReviewItem] = []
        for record in try await visit.workspace.records(prefix: plan) where !record.isDeleted {
            for field in schema.collection(record.collection)?.fields ?? [] where field.translatable {
                guard let view = record.translation(of: field.name, language: language, schema: schema),
                    view.stale || view.status == .draft
                else { continue }
                let href = ["activity", "related"].contains(record.collection) ? Self.activityHref(record.id) : ""
                items.append(
                    ReviewItem(
                        record: record.id, field: field.name, source: record.sourceText(of: field.name, schema: schema),
                        text: view.text, status: view.status.rawValue, href: href,
                        dir: language == "ar" ? "rtl" : "ltr", language: language, stale: view.stale,
                        hasLink: !href.isEmpty))
            }
        }
        let body = renderer.render(
            "review",
            [
                "t": visit.strings.words, "plan": plan, "language": language, "items": items,
                "noItems": items.isEmpty,
                "exportHref": "/translations/\(Self.pathSegment(plan))/\(language)/export.xlf",
            ])
        return PageContent(title: "\(visit.strings[.needReview]) · \(plan) · \(language)", body: body)
    }

    /// One plan's units in one language as an XLIFF 1.2 file, as `plansync xliff export --plan` writes it.
    func xliffFile(_ visit: PageVisit, plan: String, language: String) async throws -> Response {
        guard Schema.languages.contains(language) else {
            throw PageRefusal.badRequest(
                "no language '\(language)': use one of \(Schema.languages.joined(separator: ", "))")
        }
        guard try await visit.workspace.record(plan) != nil else {
            throw PageRefusal.notFound("no plan '\(plan)' here (see /translations)")
        }
        let records = try await visit.workspace.records(prefix: plan)
        let document = XliffDocument.export(records, language: language, plan: plan, schema: visit.workspace.schema)
        let name = plan.filter { $0.isASCII && ($0.isLetter || $0.isNumber || "-._".contains($0)) }
        return PageResponse.download(
            document.xml, type: "application/x-xliff+xml; charset=utf-8", filename: "\(name).\(language).xlf")
    }
}
