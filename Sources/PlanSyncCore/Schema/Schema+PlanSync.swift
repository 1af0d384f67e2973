extension Schema {
    /// Every collection and field PlanSync stores. This table is the only place a field's kind, conflict rule,
    /// translatability and audience are decided; replica, server and client all read it.
    public static let planSync = Schema([
        CollectionSchema(
            "plan", titleField: "title",
            fields: [
                FieldSchema("title", .text, rule: .keepBoth, translatable: true),
                FieldSchema("subtitle", .text, rule: .keepBoth, translatable: true),
                FieldSchema("notes", .text, rule: .keepBoth, translatable: true),
                FieldSchema("stakeholders", .list, rule: .addWinsSet, translatable: true),
                FieldSchema("status", .choice(PlanStatus.values), rule: .lastWriterWins),
            ]),
        CollectionSchema(
            "section", titleField: "title",
            fields: [
                FieldSchema("plan", .reference, rule: .lastWriterWins),
                FieldSchema("code", .text, rule: .lastWriterWins),
                FieldSchema("position", .integer, rule: .lastWriterWins),
                FieldSchema("title", .text, rule: .keepBoth, translatable: true),
            ]),
        CollectionSchema("activity", titleField: "title", fields: workFields(parent: "section")),
        CollectionSchema("related", titleField: "title", fields: workFields(parent: "activity")),
        // A field office's progress report on one activity for one period. Id: `ACTIVITY/report/OFFICE/PERIOD`,
        // so two devices of one office reporting offline on the same activity and period write one record.
        CollectionSchema(
            "report", titleField: "activity", scope: .office, sourceLanguageField: "language",
            fields: [
                FieldSchema("activity", .reference, rule: .lastWriterWins, audience: .office),
                FieldSchema("office", .office, rule: .lastWriterWins, audience: .office),
                FieldSchema("period", .period, rule: .lastWriterWins, audience: .office),
                FieldSchema("status", .choice(ProgressStatus.values), rule: .lastWriterWins, audience: .office),
                FieldSchema("narrative", .text, rule: .keepBoth, translatable: true, audience: .office),
                FieldSchema("language", .choice(ReportLanguage.values), rule: .lastWriterWins, audience: .office),
                // Indicator values as `NAME=VALUE` elements: concurrent values of one indicator both survive.
                FieldSchema("indicators", .list, rule: .addWinsSet, audience: .office),
                FieldSchema("reported_by", .text, rule: .lastWriterWins, audience: .office),
                FieldSchema("reported_at", .text, rule: .lastWriterWins, audience: .office),
            ]),
        // The central team's approval of one office's reports for one period. Id: `approvals/OFFICE/PERIOD`.
        CollectionSchema(
            "approval", titleField: "period", scope: .office,
            fields: [
                FieldSchema("office", .office, rule: .lastWriterWins),
                FieldSchema("period", .period, rule: .lastWriterWins),
                FieldSchema("state", .choice(["approved", "open"]), rule: .lastWriterWins),
                FieldSchema("by", .text, rule: .lastWriterWins),
                FieldSchema("at", .text, rule: .lastWriterWins),
            ]),
        // An office's edit of an approved report, made offline before the approval reached it: kept here, not
        // applied, until the central team accepts or dismisses it. Id: `REPORT/held/REPLICA-N`.
        CollectionSchema(
            "held", titleField: "report", scope: .office,
            fields: [
                FieldSchema("report", .reference, rule: .lastWriterWins),
                FieldSchema("office", .office, rule: .lastWriterWins),
                FieldSchema("period", .period, rule: .lastWriterWins),
                FieldSchema("changes", .text, rule: .lastWriterWins),
                FieldSchema("proposed_by", .text, rule: .lastWriterWins),
                FieldSchema("outcome", .choice(["pending", "accepted", "dismissed"]), rule: .lastWriterWins),
            ]),
        // A supporting material (an FAQ, key messages, a briefing note): its body is its `segment` records.
        // Id: a slug, e.g. `protection-policy-faq`.
        CollectionSchema(
            "material", titleField: "title",
            fields: [
                FieldSchema("title", .text, rule: .keepBoth, translatable: true),
                FieldSchema("kind", .choice(MaterialKind.values), rule: .lastWriterWins),
                FieldSchema("audience", .text, rule: .keepBoth),
                FieldSchema("activities", .list, rule: .addWinsSet),
            ]),
        // One segment of a material's Markdown body — a heading, paragraph, list item or table cell — with its
        // own causal metadata, so edits and translations of different segments never conflict and staleness is
        // per segment. The body's order is `position` (a fractional key; ties by id), so paragraphs inserted
        // concurrently in two places both survive in one order. Id: `MATERIAL/s/KEY`.
        CollectionSchema(
            "segment", titleField: "text",
            fields: [
                FieldSchema("material", .reference, rule: .lastWriterWins),
                FieldSchema("block", .choice(SegmentBlock.values), rule: .lastWriterWins),
                FieldSchema("position", .text, rule: .lastWriterWins),
                FieldSchema("text", .text, rule: .keepBoth, translatable: true),
            ]),
    ])

    /// Key activities and their related activities share one shape; only the parent differs.
    private static func workFields(parent: String) -> [FieldSchema] {
        nextWorkFields + [
            FieldSchema("plan", .reference, rule: .lastWriterWins),
            FieldSchema(parent, .reference, rule: .lastWriterWins),
            FieldSchema("code", .text, rule: .lastWriterWins),
            FieldSchema("position", .integer, rule: .lastWriterWins),
            FieldSchema("title", .text, rule: .keepBoth, translatable: true),
            FieldSchema("examples", .text, rule: .keepBoth, translatable: true),
            FieldSchema("focal_points", .list, rule: .addWinsSet, translatable: true),
            FieldSchema("time_frame", .text, rule: .lastWriterWins, translatable: true),
            FieldSchema("due", .date, rule: .lastWriterWins),
            FieldSchema("indicators", .list, rule: .addWinsSet, translatable: true),
            FieldSchema("comment", .text, rule: .keepBoth, translatable: true),
            FieldSchema("priority", .choice(["yes", "no", "status-quo"]), rule: .lastWriterWins),
            FieldSchema("commitments", .list, rule: .addWinsSet, translatable: true),
            FieldSchema("organisations", .list, rule: .addWinsSet),
            FieldSchema("status", .choice(ProgressStatus.values), rule: .lastWriterWins, audience: .progress),
            FieldSchema("progress", .text, rule: .keepBoth, audience: .progress),
        ]
    }
}

extension Schema {
    /// What the next version's schema adds to an activity, built with the trait `NextSchema` only: where the work
    /// happens. This version's binaries keep such a field intact without knowing it (README, "Upgrading offices
    /// gradually"); the tests build the next schema apart and sync this version's binaries beside its own.
    static var nextWorkFields: [FieldSchema] {
        #if PLANSYNC_NEXT_SCHEMA
            [FieldSchema("location", .text, rule: .keepBoth)]
        #else
            []
        #endif
    }
}

/// The lifecycle of a plan.
public enum PlanStatus {
    public static let values = ["draft", "active", "closed"]
}

/// The languages a report's narrative is written in.
public enum ReportLanguage {
    public static let values = ["en", "ar", "fr", "es"]
}

/// What a supporting material is.
public enum MaterialKind {
    public static let values = ["faq", "key-messages", "briefing", "presentation-outline", "guidance"]
}

/// The Markdown block a material segment is: `h1`…`h6` headings, `p` paragraphs, `quote`, `ul`/`ol` list
/// items, and table cells — `th`/`td`, or `th-row`/`td-row` for the first cell of a row.
public enum SegmentBlock {
    public static let values = [
        "h1", "h2", "h3", "h4", "h5", "h6", "p", "quote", "ul", "ol", "th-row", "th", "td-row", "td",
    ]
}

/// Where a piece of work stands.
public enum ProgressStatus {
    public static let values = ["not-started", "on-track", "delayed", "completed", "cancelled"]
}
