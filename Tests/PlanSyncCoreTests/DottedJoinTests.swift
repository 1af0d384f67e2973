import PlanSyncCore
import PlanSyncTestSupport
import Testing

/// The join of two copies of a dotted store, whichever way it is computed (the scan for small stores, the
/// sets for large ones, the shortcut for equal copies), is its definition: an entry survives when both
/// copies hold it or when the other copy's context has not seen its dot; the result is sorted by dot.
@Suite("Dotted store join")
struct DottedJoinTests {
    /// The definition, written as plainly as it reads.
    static func definition(
        _ left: [FieldCandidate], _ leftContext: VersionVector, _ right: [FieldCandidate],
        _ rightContext: VersionVector
    ) -> [FieldCandidate] {
        let kept = left.filter { entry in right.map(\.dot).contains(entry.dot) || !rightContext.covers(entry.dot) }
        let added = right.filter { entry in
            !left.map(\.dot).contains(entry.dot) && !leftContext.covers(entry.dot)
        }
        return (kept + added).sorted { $0.dot < $1.dot }
    }

    @Test(arguments: 0..<200)
    func joinIsItsDefinition(seed: Int) {
        var random = SeededGenerator(seed: UInt64(seed))
        let replicas = ["a", "b", "c", "d"].map(ReplicaID.init)
        // Sizes either side of the scan's limit, with copies that share entries, and copies that are equal.
        let size = seed % 3 == 0 ? 12 : 3
        func entries() -> [FieldCandidate] {
            (0..<Int(random.next() % UInt64(size + 1))).map { _ in
                let replica = replicas[Int(random.next() % 4)]
                let counter = random.next() % 6 + 1
                return FieldCandidate(
                    dot: Dot(replica, counter), time: HybridTimestamp(wall: counter, logical: 0, replica: replica),
                    value: "v\(replica)\(counter)")
            }.shuffled(using: &random)
        }
        func context() -> VersionVector {
            VersionVector(Dictionary(uniqueKeysWithValues: replicas.map { ($0, random.next() % 7) }))
        }
        let left = entries()
        let right = seed % 5 == 0 ? left : entries() + left.prefix(Int(random.next() % 3))
        let (leftContext, rightContext) = (context(), context())
        #expect(
            [FieldCandidate].join(left, seenBy: leftContext, right, seenBy: rightContext)
                == Self.definition(left, leftContext, right, rightContext))
    }
}
