import Foundation

/// Concurrent updates of map fields, shared by the core and the CRDT peer so both merge the same thing.
///
/// Each document is a map of `fields` text fields written once by an origin; two replicas then each update
/// `updatesPerSide` fields chosen at random (some of them the same field, concurrently). The merge brings one
/// replica's updates into the other's copy.
struct MergeWorkload: Codable, Sendable {
    var fields = 12
    var updatesPerSide = 8
    var valueBytes = 64
    var repetitions: Int
    /// For each document, the fields replica A updates and the fields replica B updates, in order.
    var documents: [Updates]

    struct Updates: Codable, Sendable {
        var a: [Int]
        var b: [Int]
    }

    init(documents count: Int, repetitions: Int, seed: UInt64) {
        var random = SplitMix64(seed: seed)
        self.repetitions = repetitions
        let fields = self.fields
        let updates = self.updatesPerSide
        documents = (0..<count).map { _ in
            Updates(
                a: (0..<updates).map { _ in Int.random(in: 0..<fields, using: &random) },
                b: (0..<updates).map { _ in Int.random(in: 0..<fields, using: &random) })
        }
    }

    /// Updates merged in one pass: every document takes the other side's updates.
    var mergedUpdates: Int { documents.count * updatesPerSide }

    /// The value a side writes: `tag-document-update-` repeated to `valueBytes` (the peer builds the same).
    func value(_ tag: String, document: Int, update: Int) -> String {
        let unit = "\(tag)-\(document)-\(update)-"
        return String(String(repeating: unit, count: valueBytes / unit.count + 1).prefix(valueBytes))
    }
}
