import Foundation
import PlanSyncCore
import PlanSyncTranslation
import PlanSyncTranslations

/// The plans PlanSync ships with, seeded into a new server.
public enum BundledPlans {
    /// The bundled plan documents, in a fixed order.
    public static func documents() throws -> [PlanDocument] {
        guard let folder = Bundle.module.url(forResource: "Plans", withExtension: nil) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "bundled plans are missing"])
        }
        let urls = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }
        return try urls.sorted { $0.path < $1.path }.map {
            try JSONDecoder().decode(PlanDocument.self, from: Data(contentsOf: $0))
        }
    }

    /// Every bundled plan and material as new records, without their translations: cheap to read, for a
    /// server to see which of them a data folder lacks.
    public static func newRecords() throws -> [NewRecord] {
        try documents().flatMap(\.newRecords) + BundledMaterials.newRecords()
    }

    /// Every record of every bundled plan and material with its bundled ar/fr/es translations, written by the
    /// clock's replica with fresh dots: what a new server is seeded with.
    public static func records(schema: Schema = .planSync, clock: inout HybridLogicalClock, now: UInt64) throws
        -> [RecordState]
    {
        var records = try newRecords().map { new in
            try new.state(schema: schema) { Writer(time: try clock.tick(now: now), author: "plansync") }
        }
        let index = Dictionary(uniqueKeysWithValues: records.enumerated().map { ($1.id, $0) })
        for file in try BundledTranslations.files() {
            let document = try XliffDocument.parse(Data(contentsOf: file))
            let folder = file.deletingLastPathComponent().lastPathComponent
            guard document.targetLanguage == folder else {
                throw XliffError("\(folder)/\(file.lastPathComponent) declares target-language \(document.targetLanguage ?? "none")")
            }
            let byID = Dictionary(uniqueKeysWithValues: records.map { ($0.id, $0) })
            for change in try XliffImport.plan(document, records: byID, schema: schema).changes {
                guard let position = index[change.record] else { continue }
                let writer = Writer(time: try clock.tick(now: now), author: "plansync")
                try records[position].apply(change.edit, schema: schema, by: writer)
            }
        }
        return records
    }
}

extension PlanDocument {
    /// The plan as new records: `PLAN`, its sections `PLAN/A`, key activities `PLAN/A.1`, and related
    /// activities `PLAN/A.1/1`, `PLAN/A.1/2`… in the plan's order (kept in `position`).
    public var newRecords: [NewRecord] {
        typealias Value = NewRecord.Value
        var records = [
            NewRecord(
                id: id, collection: "plan",
                values: [
                    Value("title", title), Value("subtitle", subtitle ?? ""),
                    Value("notes", (notes ?? []).joined(separator: "\n\n")),
                    Value("stakeholders", (stakeholders ?? []).joined(separator: "\n")), Value("status", "active"),
                ])
        ]
        for (sectionIndex, section) in sections.enumerated() {
            let sectionID = "\(id)/\(section.code)"
            records.append(
                NewRecord(
                    id: sectionID, collection: "section",
                    values: [
                        Value("plan", id), Value("code", section.code), Value("position", String(sectionIndex + 1)),
                        Value("title", section.title),
                    ]))
            for (activityIndex, activity) in section.activities.enumerated() {
                let activityID = "\(id)/\(activity.code)"
                records.append(
                    NewRecord(
                        id: activityID, collection: "activity",
                        values: [
                            Value("plan", id), Value("section", sectionID), Value("code", activity.code),
                            Value("position", String(activityIndex + 1)), Value("title", activity.title),
                        ]))
                for (workIndex, work) in activity.related.enumerated() {
                    records.append(
                        NewRecord(
                            id: "\(activityID)/\(workIndex + 1)", collection: "related",
                            values: [
                                Value("plan", id), Value("activity", activityID),
                                Value("code", "\(activity.code)/\(workIndex + 1)"),
                                Value("position", String(workIndex + 1)), Value("title", work.title),
                                Value("examples", work.examples ?? ""), Value("priority", work.priority ?? ""),
                                Value("focal_points", (work.focalPoints ?? []).joined(separator: "\n")),
                                Value("time_frame", work.timeFrame ?? ""),
                                Value("indicators", (work.indicators ?? []).joined(separator: "\n")),
                                Value("comment", work.comment ?? ""),
                                Value("commitments", (work.commitments ?? []).joined(separator: "\n")),
                            ]))
                }
            }
        }
        return records
    }
}
