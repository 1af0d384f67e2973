import PlanSyncCore
import PlanSyncReplica

/// `no record 'X' in this replica (nearest: A, B, C)`: a mistyped id answered with the ids it was likely
/// meant to be, rather than a pointer to the whole list.
func unknownRecord(_ id: String, in replica: Replica) async -> Failure {
    let ids = (try? await replica.records().map(\.id)) ?? []
    let nearest = NearestIDs.to(id, among: ids)
    let hint = nearest.isEmpty ? "run 'plansync list' to see the ids" : "nearest: " + nearest.joined(separator: ", ")
    return Failure(ExitStatus.dataRefused, "no record '\(id)' in this replica (\(hint))")
}

enum NearestIDs {
    /// Up to `limit` ids close to `id`: by edit distance, within about a third of its length, or sharing a
    /// long prefix with it (a record's children and siblings), closest first.
    static func to(_ id: String, among ids: [String], limit: Int = 3) -> [String] {
        let typed = Array(id.unicodeScalars)
        let bound = max(2, typed.count / 3)
        let ranked = ids.compactMap { candidate -> (distance: Int, id: String)? in
            let other = Array(candidate.unicodeScalars)
            let distance = editDistance(typed, other)
            let shared = zip(typed, other).prefix { $0 == $1 }.count
            guard distance <= bound || shared >= max(4, typed.count * 3 / 4) else { return nil }
            return (distance, candidate)
        }
        return ranked.sorted { ($0.distance, $0.id) < ($1.distance, $1.id) }.prefix(limit).map(\.id)
    }

    /// Levenshtein distance: insertions, deletions and substitutions, one row at a time.
    static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
