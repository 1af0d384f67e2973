import Foundation
import GRDB
import PlanSyncCore

/// How many bytes of a replica's stored records are causal metadata — contexts, dots and hybrid timestamps,
/// as the compact form writes them (`RecordJSON.causalBytes`) — against the bytes of the values (field values
/// and translation texts) they describe.
struct SyncMetadata {
    var records = 0
    var valueBytes = 0
    var causalBytes = 0
    var stateBytes = 0
    var sampledEvery = 1

    /// Reads the states of `replica` (every record up to 20,000, else an even sample of about that many) and
    /// measures, in their stored JSON form, the causal part of each.
    static func measure(replica: String) throws -> SyncMetadata {
        var configuration = Configuration()
        configuration.readonly = true
        let database = try DatabaseQueue(path: replica, configuration: configuration)
        return try database.read { db in
            let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM record") ?? 0
            var measured = SyncMetadata(sampledEvery: max(1, count / 20_000))
            let states = try String.fetchCursor(
                db, sql: "SELECT state FROM record WHERE rowid % ? = 0", arguments: [measured.sampledEvery])
            while let json = try states.next() {
                measured.add(try RecordJSON.decode(json), storedBytes: json.utf8.count)
            }
            return measured
        }
    }

    mutating func add(_ state: RecordState, storedBytes: Int) {
        records += 1
        stateBytes += storedBytes
        causalBytes += RecordJSON.causalBytes(of: state)
        for entries in state.fields.values {
            for entry in entries { valueBytes += entry.value.utf8.count }
        }
        for byField in state.translations.values {
            for entries in byField.values {
                for entry in entries { valueBytes += entry.text.utf8.count }
            }
        }
    }

    private func perRecord(_ bytes: Int) -> String {
        (Double(bytes) / Double(max(1, records))).shown
    }

    func result(fileBytes: Int) -> ScenarioResult {
        let percent = Double(causalBytes) / Double(max(1, valueBytes)) * 100
        let sample = sampledEvery > 1 ? "one record in \(sampledEvery) (\(records) records)" : "\(records) records"
        return ScenarioResult(
            name: "sync metadata",
            figures: [
                Figure(
                    "causal metadata / value bytes", percent, "%", target: "≤ 15 %", met: percent <= 15,
                    note: "\(sample) of the initial-sync replica: contexts, dots and timestamps "
                        + "\(perRecord(causalBytes)) B/record, values \(perRecord(valueBytes)) B/record; "
                        + "stored JSON \(perRecord(stateBytes)) B/record"),
                Figure(
                    "replica file / value bytes", Double(fileBytes) / (Double(valueBytes) * Double(sampledEvery)),
                    "×", note: "the whole SQLite file (JSON keys, source hashes, index and pages included)"),
            ],
            details: [
                "records": Double(records), "sampledEvery": Double(sampledEvery), "valueBytes": Double(valueBytes),
                "causalBytes": Double(causalBytes), "stateBytes": Double(stateBytes), "fileBytes": Double(fileBytes),
            ])
    }
}
