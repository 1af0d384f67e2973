import Foundation
import PlanSyncCore
import PlanSyncReplica
import PlanSyncTestSupport
import Testing

/// Bundles mean what a sync means: over random histories of offline edits and bundles carried in random orders
/// between replicas — some bundles cut short on the way, some imported twice, some stale — every replica ends
/// with the join of every replica's writes, the state a sync through the server gives, once each has seen a
/// bundle of every other. A bundle cut short changes nothing.
@Suite("Bundles over random histories")
struct BundlePropertyTests {
    static let server = ReplicaID("property-server")
    static let records = (1...4).map { "plan/A.1/\($0)" }

    func replicas(_ count: Int, in directory: TemporaryDirectory) throws -> [Replica] {
        try (0..<count).map { index in
            let session = SessionInfo(server: Self.server, principal: Principal(name: "editor-\(index)", role: .admin))
            return try Replica.create(
                at: directory.file("replica-\(index).sqlite"), serverURL: "http://127.0.0.1:9", token: "unused",
                session: session)
        }
    }

    /// One random offline edit of `replica`: a new record, a comment, a focal point added or removed, a delete.
    func edit(_ replica: Replica, using random: inout SeededGenerator, step: Int) async throws {
        let id = Self.records.randomElement(using: &random)!
        guard let record = try await replica.record(id) else {
            try await replica.create([
                NewRecord(id: id, collection: "related", values: [.init("title", "Activity \(id)")])
            ])
            return
        }
        let edit: Edit =
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<4: .set(field: "comment", value: "comment \(step)")
            case 4..<6: .add(field: "focal_points", element: ["ERC", "OCHA", "GPC"].randomElement(using: &random)!)
            case 6..<8: .remove(field: "focal_points", element: ["ERC", "OCHA", "GPC"].randomElement(using: &random)!)
            default: record.isDeleted ? .set(field: "comment", value: "revived \(step)") : .delete
            }
        do {
            try await replica.edit(id, edit)
        } catch let error as ReplicaError where error.kind == .refused || error.kind == .other {
            // Removing an element that is not there, and the like: refused, nothing changed.
        }
    }

    @Test(arguments: 1...12)
    func everyReplicaEndsWithTheJoinOfAllWritesWhateverTheOrder(seed: UInt64) async throws {
        var random = SeededGenerator(seed: seed)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let replicas = try replicas(3, in: directory)
        let ids = try await replicas.asyncMap { try await $0.identity().replica }
        var written: [String] = []
        for step in 0..<40 {
            let from = Int.random(in: 0..<replicas.count, using: &random)
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<5:
                try await edit(replicas[from], using: &random, step: step)
            case 5..<8:
                var to = Int.random(in: 0..<replicas.count, using: &random)
                if to == from { to = (to + 1) % replicas.count }
                let file = directory.file("bundle-\(step)")
                // Only what the peer lacks, when a bundle of it came here before; else everything.
                let peer = Bool.random(using: &random) ? ids[to] : nil
                do {
                    try await replicas[from].exportBundle(to: file, sincePeer: peer)
                } catch let error as ReplicaError where peer != nil && error.kind == .refused {
                    try await replicas[from].exportBundle(to: file)
                }
                written.append(file)
                try await replicas[to].importBundle(try ReplicaBundle.read(from: file))
            case 8:
                // A stale bundle, imported again or into another replica.
                guard let file = written.randomElement(using: &random) else { continue }
                let bundle = try ReplicaBundle.read(from: file)
                let to = Int.random(in: 0..<replicas.count, using: &random)
                guard bundle.exporter != ids[to] else { continue }
                try await replicas[to].importBundle(bundle)
            default:
                // Cut short on the way: refused whole, the replica unchanged.
                guard let file = written.randomElement(using: &random) else { continue }
                let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
                let cut = directory.file("cut-\(step)")
                try bytes.prefix(Int.random(in: 0..<bytes.count, using: &random)).write(to: URL(fileURLWithPath: cut))
                let to = Int.random(in: 0..<replicas.count, using: &random)
                let before = try await replicas[to].dump()
                #expect(throws: ReplicaError.self) { try ReplicaBundle.read(from: cut) }
                #expect(try await replicas[to].dump() == before)
            }
        }

        // The join of every replica's records: what each would hold after syncing through a server.
        var joined: [String: RecordState] = [:]
        for replica in replicas {
            for record in try await replica.records() {
                joined[record.id] = joined[record.id].map { $0.joined(with: record) } ?? record
            }
        }
        // Every replica sends everything to every other, directly: then all hold the join.
        for (from, replica) in replicas.enumerated() {
            let file = directory.file("final-\(from)")
            try await replica.exportBundle(to: file)
            for (to, other) in replicas.enumerated() where to != from {
                try await other.importBundle(try ReplicaBundle.read(from: file))
            }
        }
        for replica in replicas {
            let records = try await replica.records()
            #expect(records.count == joined.count)
            for record in records { #expect(record == joined[record.id], "\(record.id) differs from the join") }
        }
        let dumps = try await replicas.asyncMap { try await $0.dump() }
        #expect(Set(dumps).count == 1)
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async throws -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
