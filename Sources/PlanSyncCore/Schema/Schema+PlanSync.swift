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
    ])

    /// Key activities and their related activities share one shape; only the parent differs.
    private static func workFields(parent: String) -> [FieldSchema] {
        [
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

/// The lifecycle of a plan.
public enum PlanStatus {
    public static let values = ["draft", "active", "closed"]
}

/// Where a piece of work stands.
public enum ProgressStatus {
    public static let values = ["not-started", "on-track", "delayed", "completed", "cancelled"]
}
