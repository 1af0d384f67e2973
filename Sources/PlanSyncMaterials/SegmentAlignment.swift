/// How a new version of a document lines up with the segments stored for it — the way documentation
/// translation tools carry translations across source revisions.
///
/// Segments whose block and text are unchanged are matched first (a longest common subsequence, so the
/// order is kept). Between two matched segments, the remaining old and new segments are paired when they are
/// similar enough (at least half their words shared, again in order): those are edits, keeping the id and so
/// the translations, which go stale. New segments left over are insertions; old ones are removals.
public struct SegmentAlignment: Sendable, Equatable {
    /// What happens to one segment of the new document, in document order.
    public enum Step: Sendable, Equatable {
        /// The stored segment `id` is unchanged.
        case keep(id: String)
        /// The stored segment `id` takes the new block and text.
        case edit(id: String, MarkdownSegment)
        /// A new segment.
        case insert(MarkdownSegment)
    }

    public var steps: [Step]
    /// Stored segments the new document no longer has.
    public var removed: [String]

    /// A stored segment: its id, block and English text.
    public struct Stored: Sendable, Hashable {
        public var id: String
        public var segment: MarkdownSegment

        public init(id: String, segment: MarkdownSegment) {
            self.id = id
            self.segment = segment
        }
    }

    /// The least share of words two segments must have in common to be one segment edited.
    public static let similarityThreshold = 0.5

    public init(stored: [Stored], new: [MarkdownSegment]) {
        let anchors = Self.commonSubsequence(stored.map(\.segment), new)
        var steps: [Step] = []
        var removed: [String] = []
        var oldStart = 0
        var newStart = 0
        for (oldIndex, newIndex) in anchors + [(stored.count, new.count)] {
            let pairs = Self.similarPairs(Array(stored[oldStart..<oldIndex]), Array(new[newStart..<newIndex]))
            var paired: [Int: Int] = [:]
            for (old, new) in pairs { paired[new] = old }
            let pairedOld = Set(pairs.map(\.old))
            for offset in 0..<(newIndex - newStart) {
                let segment = new[newStart + offset]
                if let old = paired[offset] {
                    steps.append(.edit(id: stored[oldStart + old].id, segment))
                } else {
                    steps.append(.insert(segment))
                }
            }
            for offset in 0..<(oldIndex - oldStart) where !pairedOld.contains(offset) {
                removed.append(stored[oldStart + offset].id)
            }
            if oldIndex < stored.count { steps.append(.keep(id: stored[oldIndex].id)) }
            oldStart = oldIndex + 1
            newStart = newIndex + 1
        }
        self.steps = steps
        self.removed = removed
    }

    /// Whether the new document is the stored one.
    public var isUnchanged: Bool {
        removed.isEmpty && steps.allSatisfy { if case .keep = $0 { true } else { false } }
    }

    // MARK: - Matching

    /// Index pairs of equal segments, in order, as many as possible.
    static func commonSubsequence(_ old: [MarkdownSegment], _ new: [MarkdownSegment]) -> [(Int, Int)] {
        let rows = old.count
        let columns = new.count
        var table = Array(repeating: Array(repeating: 0, count: columns + 1), count: rows + 1)
        for i in stride(from: rows - 1, through: 0, by: -1) {
            for j in stride(from: columns - 1, through: 0, by: -1) {
                table[i][j] = old[i] == new[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        var pairs: [(Int, Int)] = []
        var i = 0
        var j = 0
        while i < rows, j < columns {
            if old[i] == new[j] {
                pairs.append((i, j))
                i += 1
                j += 1
            } else if table[i + 1][j] >= table[i][j + 1] {
                i += 1
            } else {
                j += 1
            }
        }
        return pairs
    }

    /// Order-keeping pairs of similar segments with the greatest total similarity.
    static func similarPairs(_ old: [Stored], _ new: [MarkdownSegment]) -> [(old: Int, new: Int)] {
        guard !old.isEmpty, !new.isEmpty else { return [] }
        let oldWords = old.map { Self.words($0.segment.text) }
        let newWords = new.map { Self.words($0.text) }
        var score = Array(repeating: Array(repeating: 0.0, count: new.count + 1), count: old.count + 1)
        func similarity(_ i: Int, _ j: Int) -> Double {
            guard old[i].segment.isCell == new[j].isCell else { return 0 }
            let value = Self.similarity(oldWords[i], newWords[j])
            return value >= similarityThreshold ? value : 0
        }
        for i in stride(from: old.count - 1, through: 0, by: -1) {
            for j in stride(from: new.count - 1, through: 0, by: -1) {
                let pair = similarity(i, j)
                score[i][j] = max(score[i + 1][j], score[i][j + 1], pair > 0 ? pair + score[i + 1][j + 1] : 0)
            }
        }
        var pairs: [(old: Int, new: Int)] = []
        var i = 0
        var j = 0
        while i < old.count, j < new.count {
            let pair = similarity(i, j)
            if pair > 0, score[i][j] == pair + score[i + 1][j + 1] {
                pairs.append((i, j))
                i += 1
                j += 1
            } else if score[i + 1][j] >= score[i][j + 1] {
                i += 1
            } else {
                j += 1
            }
        }
        return pairs
    }

    /// The words of a text, lowercased, Markdown punctuation aside.
    static func words(_ text: String) -> [String: Int] {
        var counts: [String: Int] = [:]
        for word in text.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber) }) {
            counts[String(word), default: 0] += 1
        }
        return counts
    }

    /// Twice the words in common over the words of both (Dice's coefficient on word counts).
    static func similarity(_ left: [String: Int], _ right: [String: Int]) -> Double {
        let total = left.values.reduce(0, +) + right.values.reduce(0, +)
        guard total > 0 else { return 1 }
        let shared = left.reduce(0) { sum, entry in sum + min(entry.value, right[entry.key] ?? 0) }
        return Double(2 * shared) / Double(total)
    }
}
