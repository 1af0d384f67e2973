import PlanSyncCore

extension ReportWrites {
    /// Why `principal` may not write reports at all, or nil: the core's access rule asked of a new report of
    /// the principal's own office. A front end offers a report form exactly when this is nil; what is written is
    /// checked again, record by record, when it is saved.
    public static func reportRefusal(for principal: Principal, schema: Schema = .planSync) -> String? {
        principal.refusal(of: .lifecycle, on: RecordState(id: "report", collection: "report"), schema: schema)
    }

    /// Why `principal` may not approve or reopen a period, or nil: the core's access rule asked of a new
    /// approval record.
    public static func approvalRefusal(for principal: Principal, schema: Schema = .planSync) -> String? {
        principal.refusal(of: .lifecycle, on: RecordState(id: "approval", collection: "approval"), schema: schema)
    }
}
