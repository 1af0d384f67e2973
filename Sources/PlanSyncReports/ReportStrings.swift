/// The headings and labels of a consolidated report, in each report language.
///
/// Record text (titles, narratives) comes translated from the records; this table covers only the report's own
/// words, so a central team reading Arabic sees no English chrome.
public struct ReportStrings: Sendable {
    /// The languages a report can be built in.
    public static let languages = ["en", "ar", "fr", "es"]

    /// Every word the report itself writes.
    public enum Label: String, CaseIterable, Sendable {
        case title, plan, period, section, activity, relatedActivity, office, status, indicators, narrative
        case translation, reportedBy, date, totals, total, summary, approval, approved, notApproved
        case decidedBy, heldEdits, report, changes, proposedBy, noReports, noHeldEdits, chartTitle, stale, untranslated
        case concurrentValues, conflictingVersions, noStatus, original
    }

    public let language: String

    public init(language: String) {
        self.language = Self.table[language] == nil ? "en" : language
    }

    /// Whether text in this language runs right to left.
    public var isRightToLeft: Bool { language == "ar" }

    public subscript(_ label: Label) -> String {
        Self.table[language]?[label] ?? Self.table["en"]?[label] ?? label.rawValue
    }

    /// A colon after a label, as the language writes it: French puts a no-break space before it.
    public var colon: String { language == "fr" ? "\u{00A0}:" : ":" }

    /// A semicolon between items, as the language writes it: French puts a narrow no-break space before it.
    public var semicolon: String { language == "fr" ? "\u{202F};" : ";" }

    /// A status value (`on-track`) as a reader sees it; an unknown value is shown as written.
    public func status(_ status: String?) -> String {
        guard let status else { return self[.noStatus] }
        return Self.statuses[language]?[status] ?? status
    }

    /// A language's name (`ar` → "Arabic") in the report language.
    public func languageName(_ code: String) -> String {
        Self.languageNames[language]?[code] ?? code
    }
}

// MARK: - Tables

extension ReportStrings {
    static let table: [String: [Label: String]] = [
        "en": [
            .title: "Consolidated report", .plan: "Plan", .period: "Period", .section: "Section",
            .activity: "Activity", .relatedActivity: "Related activity", .office: "Office", .status: "Status",
            .indicators: "Indicators", .narrative: "Narrative", .translation: "Translation",
            .reportedBy: "Reported by", .date: "Date", .totals: "Totals", .total: "Total", .summary: "Summary",
            .approval: "Approval", .approved: "Approved", .notApproved: "Not approved", .decidedBy: "Decided by",
            .heldEdits: "Edits awaiting the central team", .report: "Report", .changes: "Changes",
            .proposedBy: "Proposed by", .noReports: "No reports for this period",
            .noHeldEdits: "No edits are waiting.", .chartTitle: "Status by section and office",
            .stale: "stale translation", .untranslated: "not translated; English shown",
            .concurrentValues: "concurrent values", .conflictingVersions: "conflicting versions",
            .noStatus: "No status", .original: "Original",
        ],
        "ar": [
            .title: "التقرير الموحد", .plan: "الخطة", .period: "الفترة", .section: "القسم", .activity: "النشاط",
            .relatedActivity: "نشاط ذو صلة", .office: "المكتب", .status: "الحالة", .indicators: "المؤشرات",
            .narrative: "السرد", .translation: "الترجمة", .reportedBy: "مقدّم التقرير", .date: "التاريخ",
            .totals: "المجاميع", .total: "المجموع", .summary: "الملخص", .approval: "الاعتماد",
            .approved: "معتمد", .notApproved: "غير معتمد", .decidedBy: "صاحب القرار",
            .heldEdits: "تعديلات بانتظار الفريق المركزي",
            .report: "التقرير", .changes: "التغييرات", .proposedBy: "اقترحه",
            .noReports: "لا توجد تقارير لهذه الفترة", .noHeldEdits: "لا توجد تعديلات معلقة.",
            .chartTitle: "الحالة حسب القسم والمكتب", .stale: "ترجمة قديمة",
            .untranslated: "غير مترجم؛ يظهر النص الإنجليزي", .concurrentValues: "قيم متزامنة",
            .conflictingVersions: "نسخ متعارضة", .noStatus: "بلا حالة", .original: "الأصل",
        ],
        "fr": [
            .title: "Rapport consolidé", .plan: "Plan", .period: "Période", .section: "Section",
            .activity: "Activité", .relatedActivity: "Activité connexe", .office: "Bureau", .status: "Statut",
            .indicators: "Indicateurs", .narrative: "Compte rendu", .translation: "Traduction",
            .reportedBy: "Rapporté par", .date: "Date", .totals: "Totaux", .total: "Total", .summary: "Synthèse",
            .approval: "Approbation", .approved: "Approuvé", .notApproved: "Non approuvé", .decidedBy: "Décidé par",
            .heldEdits: "Modifications en attente de l’équipe centrale", .report: "Rapport",
            .changes: "Modifications", .proposedBy: "Proposé par", .noReports: "Aucun rapport pour cette période",
            .noHeldEdits: "Aucune modification en attente.", .chartTitle: "Statut par section et par bureau",
            .stale: "traduction périmée", .untranslated: "non traduit\u{202F}; anglais affiché",
            .concurrentValues: "valeurs concurrentes", .conflictingVersions: "versions en conflit",
            .noStatus: "Sans statut", .original: "Original",
        ],
        "es": [
            .title: "Informe consolidado", .plan: "Plan", .period: "Período", .section: "Sección",
            .activity: "Actividad", .relatedActivity: "Actividad relacionada", .office: "Oficina",
            .status: "Estado", .indicators: "Indicadores", .narrative: "Narrativa", .translation: "Traducción",
            .reportedBy: "Informado por", .date: "Fecha", .totals: "Totales", .total: "Total", .summary: "Resumen",
            .approval: "Aprobación", .approved: "Aprobado", .notApproved: "No aprobado", .decidedBy: "Decidido por",
            .heldEdits: "Cambios pendientes del equipo central", .report: "Informe", .changes: "Cambios",
            .proposedBy: "Propuesto por", .noReports: "No hay informes para este período",
            .noHeldEdits: "No hay cambios pendientes.", .chartTitle: "Estado por sección y oficina",
            .stale: "traducción desactualizada", .untranslated: "sin traducir; se muestra el inglés",
            .concurrentValues: "valores concurrentes", .conflictingVersions: "versiones en conflicto",
            .noStatus: "Sin estado", .original: "Original",
        ],
    ]

    static let statuses: [String: [String: String]] = [
        "en": [
            "not-started": "Not started", "on-track": "On track", "delayed": "Delayed", "completed": "Completed",
            "cancelled": "Cancelled",
        ],
        "ar": [
            "not-started": "لم يبدأ", "on-track": "يسير وفق الخطة", "delayed": "متأخر", "completed": "مكتمل",
            "cancelled": "ملغى",
        ],
        "fr": [
            "not-started": "Non commencé", "on-track": "En bonne voie", "delayed": "En retard",
            "completed": "Terminé", "cancelled": "Annulé",
        ],
        "es": [
            "not-started": "Sin iniciar", "on-track": "Según lo previsto", "delayed": "Retrasado",
            "completed": "Completado", "cancelled": "Cancelado",
        ],
    ]

    static let languageNames: [String: [String: String]] = [
        "en": ["en": "English", "ar": "Arabic", "fr": "French", "es": "Spanish"],
        "ar": ["en": "الإنجليزية", "ar": "العربية", "fr": "الفرنسية", "es": "الإسبانية"],
        "fr": ["en": "anglais", "ar": "arabe", "fr": "français", "es": "espagnol"],
        "es": ["en": "inglés", "ar": "árabe", "fr": "francés", "es": "español"],
    ]
}
