import PlanSyncContent
import PlanSyncCore
import PlanSyncReports

/// Records for report tests: optionally the bundled plans, plus reports, approvals and held edits written in
/// memory the way replicas write them.
struct ReportFixture {
    static let plan = "iasc-protection-policy"

    var records: [RecordState] = []
    private var clock = HybridLogicalClock(replica: ReplicaID("central"))
    private var wall: UInt64 = 10

    init(bundled: Bool = true) throws {
        if bundled { records = try BundledPlans.records(clock: &clock, now: 1) }
    }

    /// The report id of an activity, office and period.
    static func reportID(_ activity: String, _ office: String, _ period: String) -> String {
        "\(plan)/\(activity)/report/\(office)/\(period)"
    }

    func record(_ id: String) -> RecordState? {
        records.first { $0.id == id }
    }

    /// Writes a new record field by field, each write from `replica`.
    mutating func create(_ id: String, _ collection: String, _ values: [(String, String?)], replica: String = "central")
        throws
    {
        var state = RecordState(id: id, collection: collection)
        for (field, value) in values {
            guard let value else { continue }
            try state.apply(.set(field: field, value: value), schema: .planSync, by: writer(replica))
        }
        store(state)
    }

    /// Adds an office report on an activity of the protection policy plan (`A.1`, `A.1/2`…).
    @discardableResult
    mutating func report(
        _ activity: String, office: String, period: String = "2017-Q4", status: String?, narrative: String? = nil,
        language: String? = nil, indicators: [String] = [], by: String? = "officer",
        at: String? = "2017-12-15T09:30:00Z"
    ) throws -> String {
        let id = Self.reportID(activity, office, period)
        try create(
            id, "report",
            [
                ("activity", "\(Self.plan)/\(activity)"), ("office", office), ("period", period), ("status", status),
                ("narrative", narrative), ("language", language),
                ("indicators", indicators.isEmpty ? nil : indicators.joined(separator: "\n")),
                ("reported_by", by), ("reported_at", at),
            ],
            replica: office.lowercased())
        return id
    }

    /// Applies one edit to a stored record.
    mutating func edit(_ id: String, _ edit: Edit, replica: String = "central") throws {
        guard var state = record(id) else { throw FixtureError("no record \(id)") }
        try state.apply(edit, schema: .planSync, by: writer(replica))
        store(state)
    }

    /// Two devices edit one record offline, each unaware of the other; the stored record is their join.
    mutating func concurrently(_ id: String, _ first: Edit, _ second: Edit) throws {
        guard let base = record(id) else { throw FixtureError("no record \(id)") }
        var one = base
        var two = base
        try one.apply(first, schema: .planSync, by: writer("device-1"))
        try two.apply(second, schema: .planSync, by: writer("device-2"))
        store(one.joined(with: two))
    }

    mutating func approval(office: String, period: String = "2017-Q4", state: String = "approved") throws {
        try create(
            "approvals/\(office)/\(period)", "approval",
            [("office", office), ("period", period), ("state", state), ("by", "central"), ("at", "2017-12-20")])
    }

    mutating func held(
        report: String, office: String, period: String = "2017-Q4", changes: String, outcome: String = "pending"
    ) throws {
        try create(
            "\(report)/held/\(office.lowercased())-1", "held",
            [
                ("report", report), ("office", office), ("period", period), ("changes", changes),
                ("proposed_by", "officer"), ("outcome", outcome),
            ])
    }

    func build(period: String = "2017-Q4", language: String = "en") throws -> ConsolidatedReport {
        try ConsolidatedReport.build(records: records, plan: Self.plan, period: period, language: language)
    }

    private mutating func writer(_ replica: String) -> Writer {
        wall += 1
        return Writer(time: HybridTimestamp(wall: wall, logical: 0, replica: ReplicaID(replica)), author: replica)
    }

    private mutating func store(_ state: RecordState) {
        if let index = records.firstIndex(where: { $0.id == state.id }) {
            records[index] = state
        } else {
            records.append(state)
        }
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension ReportFixture {
    /// The bundled plans with a quarter of reports from four offices writing in four languages: two offices on
    /// one activity, a related activity, a narrative edited on two devices, concurrent indicator values, a
    /// translated narrative, an approved office, and an edit held after approval.
    static func example() throws -> ReportFixture {
        var fixture = try ReportFixture()
        try fixture.report(
            "A.1", office: "AFG", status: "on-track",
            narrative: "HCT briefed on 12 October; the protection cluster follows up with each cluster lead.",
            language: "en", indicators: ["briefings=2", "participants=34"])
        let syria = try fixture.report(
            "A.1", office: "SYR", status: "delayed",
            narrative: "تأجلت جلسة الإحاطة للفريق القطري الإنساني إلى تشرين الثاني/نوفمبر بسبب القيود الأمنية.",
            language: "ar", indicators: ["briefings=0"], by: "ليلى حداد")
        try fixture.edit(
            syria,
            .translate(
                field: "narrative", language: "fr",
                text: "La séance d’information de l’équipe de pays humanitaire est reportée à novembre (sécurité).",
                status: .translated))
        try fixture.report(
            "A.1/1", office: "CAF", status: "completed",
            narrative: "Lettre envoyée le 3 octobre à tous les coordonnateurs humanitaires, avec la politique.",
            language: "fr", indicators: ["letters=1"])
        let colombia = try fixture.report(
            "A.2", office: "COL", status: "on-track",
            narrative: "Mensajes clave traducidos y compartidos con el equipo humanitario de país.", language: "es",
            indicators: ["sessions=3"])
        try fixture.concurrently(
            colombia, .set(field: "indicators", value: "sessions=4"), .set(field: "indicators", value: "sessions=5"))
        try fixture.report("A.2", office: "AFG", status: "completed", indicators: ["sessions=5"])
        try fixture.report("B.1", office: "AFG", status: "not-started")
        try fixture.report(
            "B.1/2", office: "SYR", status: "on-track", narrative: "بدأ العمل مع الفريق العامل.",
            language: "ar")
        let car = try fixture.report(
            "C.1", office: "CAF", status: "delayed", narrative: "Mission d’appui reportée.", language: "fr")
        try fixture.concurrently(
            car, .set(field: "narrative", value: "Mission d’appui reportée à janvier."),
            .set(field: "narrative", value: "Mission d’appui annulée, à reprogrammer."))
        try fixture.report("C.2", office: "COL", status: "completed")
        try fixture.report("C.3", office: "AFG", status: "cancelled", narrative: "Merged with C.2.", language: "en")
        try fixture.report("D.1", office: "SYR", status: "completed")
        try fixture.report("D.2", office: "COL", status: "on-track")
        try fixture.approval(office: "AFG")
        try fixture.approval(office: "COL", state: "open")
        try fixture.held(
            report: reportID("A.1", "AFG", "2017-Q4"), office: "AFG", changes: #"{"status":"completed"}"#)
        return fixture
    }
}
