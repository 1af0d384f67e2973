import Foundation
import PlanSyncCore
import PlanSyncServer

/// A server data folder prepared for a scenario: seeded with the bundled plans (as every new data folder is),
/// then loaded with generated records straight through the store, the way a push would store them.
struct ServerData {
    let directory: String
    private let store: SQLiteSyncStore

    init(directory: String) throws {
        self.directory = directory
        store = try SQLiteSyncStore(directory: directory)
    }

    /// A new token for `principal`, as `plansync-server token create` makes one.
    func token(for principal: Principal) async throws -> String {
        let token = TokenHash.newToken()
        try await store.createToken(principal, hash: TokenHash.hash(token))
        return token
    }

    /// Stores `count` generated records, a thousand per transaction, and returns their ids in plan order.
    func load(_ count: Int, from plans: inout GeneratedPlans) async throws -> [String] {
        var ids: [String] = []
        ids.reserveCapacity(count)
        while ids.count < count {
            let batch = try plans.next(min(1_000, count - ids.count))
            let response = try await store.push(batch) { incoming, _, _ in
                PushStep(decision: .store(incoming, origin: nil), partial: false)
            }
            guard response.changed == batch.count else {
                throw BenchmarkError("loading generated records: \(response.changed) of \(batch.count) stored")
            }
            ids += batch.map(\.id)
        }
        return ids
    }
}
