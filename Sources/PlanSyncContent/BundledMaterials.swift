import Foundation
import PlanSyncCore
import PlanSyncMaterials

/// The supporting materials PlanSync ships with (`Materials/*.md`, listed in `Materials/materials.json`),
/// seeded into a new server with the plans. Their segment ids are numbered (`MATERIAL/s/001`…) so the bundled
/// translations in `Translations/` name the same segments on every server.
public enum BundledMaterials {
    /// One entry of `materials.json`. The title is the document's first heading.
    struct Entry: Decodable {
        var id: String
        var file: String
        var kind: String
        var audience: String
        var activities: [String]
    }

    /// The new records of every bundled material, in manifest order.
    public static func newRecords() throws -> [NewRecord] {
        guard let folder = Bundle.module.url(forResource: "Materials", withExtension: nil) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "bundled materials are missing"])
        }
        let entries = try JSONDecoder().decode(
            [Entry].self, from: Data(contentsOf: folder.appendingPathComponent("materials.json")))
        return try entries.flatMap { entry in
            let body = try MarkdownSegments.parse(
                String(contentsOf: folder.appendingPathComponent(entry.file), encoding: .utf8))
            guard let heading = body.first, heading.block == "h1" else {
                throw CocoaError(
                    .fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "\(entry.file) does not start with a # title"])
            }
            return try MaterialWrites.add(
                id: entry.id, title: heading.text, kind: entry.kind, audience: entry.audience,
                activities: entry.activities, body: body, segmentKey: numberedKey)
        }
    }

    /// `001`, `002`…: the key of the segment at `index`.
    static func numberedKey(_ index: Int) -> String {
        let digits = String(index + 1)
        return String(repeating: "0", count: max(0, 3 - digits.count)) + digits
    }
}
