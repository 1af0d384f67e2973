/// A plan's outline: the plan, its sections, their key activities and those activities' related activities,
/// linked by their reference fields (`plan`, `section`, `activity`).
///
/// Reports, approvals and held edits are not part of the outline: they are an office's records about the work,
/// kept (and counted in the consolidated report's history) when the work itself is deleted.
public enum PlanOutline {
    /// The outline's collections, from the top; each level refers to the levels above it.
    public static let collections = ["plan", "section", "activity", "related"]

    /// The reference fields by which an outline record names what contains it.
    static let parentFields = ["plan", "section", "activity"]

    /// Whether `record` is part of a plan's outline (so deleting it deletes what it contains).
    public static func contains(_ record: RecordState) -> Bool {
        contains(collection: record.collection)
    }

    /// Whether records of `collection` are part of a plan's outline.
    public static func contains(collection: String) -> Bool {
        collections.contains(collection)
    }

    /// The live records among `records` that `root` contains, directly or not, from the top level down:
    /// a plan's sections, key activities and related activities; a section's key activities and their related
    /// activities; a key activity's related activities. Deleted ones are left out (they are gone already).
    public static func contents(of root: RecordState, among records: [RecordState], schema: Schema = .planSync)
        -> [RecordState]
    {
        guard let level = collections.firstIndex(of: root.collection) else { return [] }
        var containers: Set<String> = [root.id]
        var found: [RecordState] = []
        // Level by level, so a related activity is found through a key activity found one level up.
        for collection in collections.dropFirst(level + 1) {
            for record in records where record.collection == collection && !record.isDeleted {
                let parents = parentFields.compactMap { record.value(of: $0, schema: schema)?.text }
                if parents.contains(where: containers.contains) {
                    found.append(record)
                    containers.insert(record.id)
                }
            }
        }
        return found
    }

    /// Sections and activities in the plan's order: by `position`, then code, then id.
    public static func inOrder(_ lhs: RecordState, _ rhs: RecordState) -> Bool {
        func key(_ record: RecordState) -> (Int, String, String) {
            func text(_ field: String) -> String? {
                guard let text = record.value(of: field)?.text, !text.allSatisfy(\.isWhitespace) else { return nil }
                return text
            }
            return (Int(text("position") ?? "") ?? .max, text("code") ?? "", record.id)
        }
        return key(lhs) < key(rhs)
    }
}
