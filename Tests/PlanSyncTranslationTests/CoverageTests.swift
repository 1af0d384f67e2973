import PlanSyncCore
import PlanSyncTranslation
import Testing

/// Coverage is summed from each record's tallies (which a replica keeps in a column); the sums must be those
/// of counting every unit's translation view one by one, as `translations status` always has.
@Suite("Translation coverage")
struct CoverageTests {
    static func writer(_ replica: String, _ wall: UInt64) -> Writer {
        Writer(time: HybridTimestamp(wall: wall, logical: 0, replica: ReplicaID(replica)), author: replica)
    }

    /// Two plans' records with translations of every status, a stale one, concurrent ones, a blank field,
    /// a deleted record, and a record of a collection the schema does not know.
    static func records() throws -> [RecordState] {
        var records: [RecordState] = []
        var wall: UInt64 = 1
        func write(_ record: inout RecordState, _ edit: Edit, by replica: String = "editor") throws {
            wall += 1
            try record.apply(edit, schema: .planSync, by: writer(replica, wall))
        }
        for plan in ["p", "q"] {
            for index in 1...6 {
                var record = RecordState(id: "\(plan)/A.\(index)", collection: "activity")
                try write(&record, .set(field: "title", value: "Title \(index)"))
                if index % 2 == 0 { try write(&record, .set(field: "comment", value: "Comment \(index)")) }
                let statuses: [TranslationStatus] = [.draft, .translated, .approved, .untranslated]
                try write(
                    &record,
                    .translate(field: "title", language: "fr", text: "Titre", status: statuses[index % 4]), by: "fr")
                if index % 3 == 0 {
                    try write(&record, .translate(field: "title", language: "ar", text: "عنوان", status: .translated))
                    try write(&record, .set(field: "title", value: "Title \(index), changed"))
                }
                if index == 4 {
                    var other = record
                    try write(&record, .translate(field: "title", language: "es", text: "Uno", status: .draft), by: "a")
                    try write(
                        &other, .translate(field: "title", language: "es", text: "Dos", status: .approved), by: "b")
                    record = record.joined(with: other)
                }
                if index == 5 { try write(&record, .delete) }
                records.append(record)
            }
        }
        records.append(RecordState(id: "p/unknown", collection: "no-such-collection"))
        return records
    }

    /// The count as it was made before tallies: unit by unit, through `translation(of:language:)`.
    static func counted(_ records: [RecordState], language: String?) -> [Coverage] {
        let units = TranslationUnit.all(in: records)
        let byPlan = Dictionary(grouping: units, by: \.plan)
        return (language.map { [$0] } ?? Schema.languages).flatMap { language in
            byPlan.keys.sorted().map { plan in
                var tally = TranslationTally()
                for unit in byPlan[plan] ?? [] {
                    tally.units += 1
                    guard let view = unit.record.translation(of: unit.field, language: language),
                        view.status != .untranslated
                    else {
                        tally.missing += 1
                        continue
                    }
                    if view.status == .translated || view.status == .approved { tally.translated += 1 }
                    if view.status == .approved { tally.approved += 1 }
                    if view.status == .draft { tally.draft += 1 }
                    if view.stale { tally.stale += 1 }
                }
                return Coverage.summing([(plan: plan, tallies: [language: tally])], language: language)[0]
            }
        }
    }

    @Test(arguments: [nil, "fr", "ar", "es"])
    func summedTalliesAreTheUnitByUnitCount(language: String?) throws {
        let records = try Self.records()
        let coverage = Coverage.of(records, language: language)
        #expect(coverage == Self.counted(records, language: language))
        #expect(coverage.contains { $0.stale > 0 } || language == "es")
        #expect(coverage.map(\.plan).contains("q"))
    }

    @Test func aRecordWithNoUnitHasNoTally() {
        #expect(RecordState(id: "p/x", collection: "activity").translationTallies().isEmpty)
        #expect(RecordState(id: "p/x", collection: "no-such-collection").translationTallies().isEmpty)
    }
}
