import Foundation
import PlanSyncContent
import PlanSyncCore

/// The bundled plans and materials, with their translations, that a server's data has never held: all of them
/// for new data, and for existing data those of content added by a later version. What the data holds, or held
/// and deleted, is never touched. Every store seeds what this returns, once, when it opens.
enum BundledSeed {
    /// The ids of every bundled record, cheap to read.
    static func ids() throws -> [String] {
        try BundledPlans.newRecords().map(\.id)
    }

    /// The records to seed, written by `server`; `held` says whether the data holds an id. The records and their
    /// translations are built only when some are missing.
    static func missing(schema: Schema, server: ReplicaID, held: (String) throws -> Bool) throws -> [RecordState] {
        let missingIDs = Set(try ids().filter { try !held($0) })
        guard !missingIDs.isEmpty else { return [] }
        var clock = HybridLogicalClock(replica: server)
        return try BundledPlans.records(schema: schema, clock: &clock, now: UInt64(Date().timeIntervalSince1970 * 1000))
            .filter { missingIDs.contains($0.id) }
    }
}
