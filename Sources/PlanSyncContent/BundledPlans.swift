import Foundation
import PlanSyncCore

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

    /// Every record of every bundled plan, written by `writer`'s replica with fresh dots.
    public static func records(schema: Schema = .planSync, clock: inout HybridLogicalClock, now: UInt64) throws
        -> [RecordState]
    {
        try documents().flatMap { try $0.records(schema: schema, clock: &clock, now: now) }
    }
}

extension PlanDocument {
    /// The plan as records: `PLAN`, its sections `PLAN/A`, key activities `PLAN/A.1`, and related activities
    /// `PLAN/A.1/1`, `PLAN/A.1/2`… in the plan's order (kept in `position`).
    public func records(schema: Schema = .planSync, clock: inout HybridLogicalClock, now: UInt64) throws
        -> [RecordState]
    {
        var builder = RecordBuilder(schema: schema, clock: clock, now: now)
        builder.add(
            id, "plan",
            ["title": title, "subtitle": subtitle, "notes": notes?.joined(separator: "\n\n"),
                "stakeholders": stakeholders?.joined(separator: "\n"), "status": "active"])
        for (sectionIndex, section) in sections.enumerated() {
            let sectionID = "\(id)/\(section.code)"
            builder.add(
                sectionID, "section",
                ["plan": id, "code": section.code, "position": String(sectionIndex + 1), "title": section.title])
            for (activityIndex, activity) in section.activities.enumerated() {
                let activityID = "\(id)/\(activity.code)"
                builder.add(
                    activityID, "activity",
                    ["plan": id, "section": sectionID, "code": activity.code,
                        "position": String(activityIndex + 1), "title": activity.title])
                for (workIndex, work) in activity.related.enumerated() {
                    builder.add(
                        "\(activityID)/\(workIndex + 1)", "related",
                        ["plan": id, "activity": activityID, "code": "\(activity.code)/\(workIndex + 1)",
                            "position": String(workIndex + 1), "title": work.title, "examples": work.examples,
                            "priority": work.priority, "focal_points": work.focalPoints?.joined(separator: "\n"),
                            "time_frame": work.timeFrame, "indicators": work.indicators?.joined(separator: "\n"),
                            "comment": work.comment, "commitments": work.commitments?.joined(separator: "\n")])
                }
            }
        }
        clock = builder.clock
        return try builder.finish()
    }
}

/// Builds new records field by field with the core's own writes, collecting the first error.
struct RecordBuilder {
    let schema: Schema
    var clock: HybridLogicalClock
    let now: UInt64
    var records: [RecordState] = []
    var error: RecordError?

    init(schema: Schema, clock: HybridLogicalClock, now: UInt64) {
        self.schema = schema
        self.clock = clock
        self.now = now
    }

    mutating func add(_ id: String, _ collection: String, _ values: [String: String?]) {
        var state = RecordState(id: id, collection: collection)
        do {
            try RecordID.validate(id)
            for (field, value) in values.sorted(by: { $0.key < $1.key }) {
                guard let value, !value.isEmpty else { continue }
                let writer = Writer(time: clock.tick(now: now), author: "plansync")
                try state.apply(.set(field: field, value: value), schema: schema, by: writer)
            }
        } catch {
            self.error = self.error ?? error
        }
        records.append(state)
    }

    func finish() throws -> [RecordState] {
        if let error { throw error }
        return records
    }
}
