import Foundation
import PlanSyncCore

/// An office, the replicas of its tokens and when it last synced: what `plansync-server offices` lists and
/// `GET /metrics` reports, so the central team sees which offices have not synced.
public struct OfficeActivity: Sendable, Hashable {
    public var office: String
    /// The latest sync of any of its replicas; nil when none ever synced.
    public var lastSync: UInt64?
    public var replicas: [Replica]

    /// One replica of an office and the token it syncs with.
    public struct Replica: Sendable, Hashable {
        public var replica: String
        public var token: String
        public var lastSync: UInt64?
    }

    /// The offices of live office tokens, by office code, each with the replicas of all its tokens (most
    /// recently synced first).
    public static func offices(from tokens: [TokenActivity]) -> [OfficeActivity] {
        var offices: [String: [Replica]] = [:]
        for token in tokens where token.principal.role == .office {
            guard let office = token.principal.office else { continue }
            offices[office, default: []] += token.replicas.map {
                Replica(replica: $0.id.rawValue, token: token.principal.name, lastSync: $0.lastSync)
            }
        }
        return offices.keys.sorted().map { office in
            let replicas = offices[office, default: []].sorted {
                ($0.lastSync ?? 0, $1.replica) > ($1.lastSync ?? 0, $0.replica)
            }
            return OfficeActivity(office: office, lastSync: replicas.compactMap(\.lastSync).max(), replicas: replicas)
        }
    }
}
