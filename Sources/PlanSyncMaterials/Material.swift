import PlanSyncCore

/// A material as a person reads it: its record and its live segments in body order.
public struct Material: Sendable {
    public let record: RecordState
    /// The live segments, ordered by position, ties by id.
    public let segments: [Segment]

    /// One live segment: its record, block, position and English text.
    public struct Segment: Sendable {
        public let record: RecordState
        public var id: String { record.id }
        public var block: String { record.value(of: "block")?.text ?? "p" }
        public var position: String { record.value(of: "position")?.text ?? "" }
        public var text: String { record.value(of: "text")?.text ?? "" }
        public var markdown: MarkdownSegment { MarkdownSegment(block: block, text: text) }
    }

    public var id: String { record.id }
    public var title: String { record.value(of: "title")?.text ?? id }
    public var kind: String { record.value(of: "kind")?.text ?? "" }
    public var audience: String { record.value(of: "audience")?.text ?? "" }
    public var activities: [String] {
        if case .list(let ids) = record.value(of: "activities") { ids } else { [] }
    }

    /// The prefix of every segment id of material `id`.
    public static func segmentPrefix(of id: String) -> String { id + "/s/" }

    /// The material `id` among `records`, or nil when there is none (or it is deleted).
    public init?(id: String, in records: some Sequence<RecordState>) {
        var material: RecordState?
        var segments: [Segment] = []
        let prefix = Self.segmentPrefix(of: id)
        for record in records {
            if record.id == id, record.collection == "material" {
                material = record
            } else if record.collection == "segment", record.id.hasPrefix(prefix), !record.isDeleted {
                segments.append(Segment(record: record))
            }
        }
        guard let material, !material.isDeleted else { return nil }
        self.record = material
        self.segments = segments.sorted { ($0.position, $0.id) < ($1.position, $1.id) }
    }

    /// Every live material among `records`, sorted by id.
    public static func all(in records: [RecordState]) -> [Material] {
        let byMaterial = Dictionary(grouping: records) { RecordID.plan(of: $0.id) }
        return records.filter { $0.collection == "material" }.map(\.id).sorted().compactMap { id in
            Material(id: id, in: byMaterial[RecordID.plan(of: id)] ?? [])
        }
    }

    /// The body as English Markdown.
    public var markdown: String {
        MarkdownSegments.render(segments.map(\.markdown))
    }

    // MARK: - In a language

    /// One segment as shown in a language: its translation, or the English when there is none.
    public struct Shown: Sendable, Hashable {
        public var id: String
        public var block: String
        public var text: String
        /// The language of `text`: the one asked for, or `en` when the segment fell back to English.
        public var language: String
        /// No translation into the language asked for: `text` is the English.
        public var fallback: Bool
        /// The translation was made from an older English.
        public var stale: Bool
        /// The text has concurrent candidates (`plansync conflicts` lists them); `text` is the provisional one.
        public var conflict: Bool = false
    }

    /// The title and body in `language` (nil or `en`: the English), segment by segment.
    public func shown(in language: String?) -> (title: Shown, body: [Shown]) {
        func show(_ record: RecordState, field: String, block: String) -> Shown {
            let english = record.value(of: field)?.text ?? ""
            let englishConflict = !record.conflict(of: field).isEmpty
            guard let language, language != "en" else {
                return Shown(
                    id: record.id, block: block, text: english, language: "en", fallback: false, stale: false,
                    conflict: englishConflict)
            }
            guard let translation = record.readableTranslation(of: field, language: language) else {
                return Shown(
                    id: record.id, block: block, text: english, language: "en", fallback: true, stale: false,
                    conflict: englishConflict)
            }
            return Shown(
                id: record.id, block: block, text: translation.text, language: language, fallback: false,
                stale: translation.stale, conflict: translation.candidates.count > 1)
        }
        return (show(record, field: "title", block: "h1"), segments.map { show($0.record, field: "text", block: $0.block) })
    }

    /// How many segments have a current translation into `language`, are stale, or have none.
    public func coverage(in language: String) -> (translated: Int, stale: Int, missing: Int) {
        let body = shown(in: language).body
        let missing = body.filter(\.fallback).count
        let stale = body.filter(\.stale).count
        return (body.count - missing - stale, stale, missing)
    }
}
