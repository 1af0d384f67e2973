import PlanSyncCore

/// The records and edits that add a material, bring it to a new version of its Markdown, or record a translated
/// version of it. Pure: the replica writes them in one transaction.
public enum MaterialWrites {
    /// Why a material write was refused, in one line.
    public struct Refusal: Error, CustomStringConvertible, Sendable, Equatable {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// The records of a new material: the material itself and one segment per Markdown segment, with
    /// positions spread evenly. `segmentKey` names the segment at an index (random on a replica, numbered for
    /// the bundled materials).
    public static func add(
        id: String, title: String, kind: String, audience: String = "", activities: [String] = [],
        body: [MarkdownSegment], segmentKey: (Int) -> String
    ) throws(Refusal) -> [NewRecord] {
        guard !id.contains("/") else { throw Refusal("\(id): a material id has no '/'") }
        guard !title.allSatisfy(\.isWhitespace) else { throw Refusal("a material needs a title") }
        if let html = MaterialText.rawHTML(in: title) { throw MaterialText.refusal(html, in: "the title") }
        guard MaterialKind.values.contains(kind) else {
            throw Refusal("kind '\(kind)': expected one of \(MaterialKind.values.joined(separator: ", "))")
        }
        guard !body.isEmpty else { throw Refusal("the document has no text") }
        var records = [
            NewRecord(
                id: id, collection: "material",
                values: [
                    .init("title", title), .init("kind", kind), .init("audience", audience),
                    .init("activities", activities.joined(separator: "\n")),
                ])
        ]
        for (index, (segment, position)) in zip(body, PositionKey.spread(body.count)).enumerated() {
            records.append(segmentRecord(material: id, key: segmentKey(index), segment, position: position))
        }
        return records
    }

    /// What brings `material` to the document `body`: new segments to create, and edits of the stored ones
    /// (changed text or block, new positions, deletes). Unchanged segments are not touched, so their
    /// translations stay current; an edited one keeps its id, and its translations go stale.
    public static func update(
        _ material: Material, to body: [MarkdownSegment], segmentKey: () -> String
    ) throws(Refusal) -> (create: [NewRecord], edits: [(id: String, edit: Edit)], alignment: SegmentAlignment) {
        guard !body.isEmpty else { throw Refusal("the document has no text; delete the material instead") }
        let alignment = SegmentAlignment(
            stored: material.segments.map { .init(id: $0.id, segment: $0.markdown) }, new: body)
        var edits: [(id: String, edit: Edit)] = []
        var create: [NewRecord] = []
        var positions = Dictionary(uniqueKeysWithValues: material.segments.map { ($0.id, $0.position) })
        let byID = Dictionary(uniqueKeysWithValues: material.segments.map { ($0.id, $0) })

        // Kept and edited segments stay in order; when two of them share a position (concurrent insertions
        // at one place), or a position is missing, every kept segment is given a fresh spread of keys.
        let retained = alignment.steps.compactMap { step -> String? in
            switch step {
            case .keep(let id), .edit(let id, _): id
            case .insert: nil
            }
        }
        let retainedKeys = retained.map { positions[$0] ?? "" }
        if zip(retainedKeys, retainedKeys.dropFirst()).contains(where: { $0 >= $1 }) || retainedKeys.contains("") {
            for (id, key) in zip(retained, PositionKey.spread(retained.count)) where positions[id] != key {
                positions[id] = key
                edits.append((id, .set(field: "position", value: key)))
            }
        }

        var previous: String?
        for (index, step) in alignment.steps.enumerated() {
            switch step {
            case .keep(let id):
                previous = positions[id]
            case .edit(let id, let segment):
                let stored = byID[id]!
                if stored.block != segment.block { edits.append((id, .set(field: "block", value: segment.block))) }
                if stored.text != segment.text { edits.append((id, .set(field: "text", value: segment.text))) }
                previous = positions[id]
            case .insert(let segment):
                let next = alignment.steps[(index + 1)...].lazy.compactMap { step -> String? in
                    switch step {
                    case .keep(let id), .edit(let id, _): positions[id]
                    case .insert: nil
                    }
                }.first
                let position = PositionKey.between(previous, next)
                create.append(segmentRecord(material: material.id, key: segmentKey(), segment, position: position))
                previous = position
            }
        }
        edits += alignment.removed.map { ($0, Edit.delete) }
        // A title that was the document's first heading follows it.
        if material.titled, material.title == material.segments.first?.text, let heading = body.first,
            heading.block == "h1", heading.text != material.title
        {
            edits.append((material.id, .set(field: "title", value: heading.text)))
        }
        return (create, edits, alignment)
    }

    /// The translations a translated version of the material's Markdown gives, segment by segment, for the
    /// segments whose translation it changes. The file must have the material's segments, in order, with the
    /// same blocks.
    public static func translate(
        _ material: Material, language: String, body: [MarkdownSegment], status: TranslationStatus
    ) throws(Refusal) -> [(id: String, edit: Edit)] {
        guard body.count == material.segments.count else {
            throw Refusal(
                "the translated file has \(body.count) segments; the material has \(material.segments.count) "
                    + "(translate each heading, paragraph, list item and table cell in place)")
        }
        var edits: [(id: String, edit: Edit)] = []
        for (number, (segment, translated)) in zip(material.segments, body).enumerated() {
            guard segment.block == translated.block else {
                throw Refusal(
                    "segment \(number + 1): the English is a \(segment.block) block, the file has a \(translated.block) block")
            }
            let current = segment.record.translation(of: "text", language: language)
            guard current?.text != translated.text || current?.stale == true || current?.status != status else { continue }
            edits.append((segment.id, .translate(field: "text", language: language, text: translated.text, status: status)))
        }
        // A title that is the document's first heading is translated by it.
        if material.titled, material.title == material.segments.first?.text, let heading = body.first,
            material.record.translation(of: "title", language: language)?.text != heading.text
        {
            edits.append((material.id, .translate(field: "title", language: language, text: heading.text, status: status)))
        }
        return edits
    }

    static func segmentRecord(material: String, key: String, _ segment: MarkdownSegment, position: String) -> NewRecord {
        NewRecord(
            id: Material.segmentPrefix(of: material) + key, collection: "segment",
            values: [
                .init("material", material), .init("block", segment.block), .init("position", position),
                .init("text", segment.text),
            ])
    }
}
