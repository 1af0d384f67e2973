import PlanSyncCore

/// Why a replica refused an operation. Every case reads as one actionable line.
public struct ReplicaError: Error, Hashable, Sendable, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }

    static func noReplica(_ path: String) -> ReplicaError {
        ReplicaError("no replica at \(path) (create one with 'plansync init')")
    }

    public static func noRecord(_ id: String) -> ReplicaError {
        ReplicaError("no record '\(id)' in this replica (run 'plansync list' to see the ids)")
    }

    static func refused(_ id: String, _ reason: String) -> ReplicaError {
        ReplicaError("refused: \(id): \(reason); nothing was queued")
    }

    static func invalid(_ error: PlanSyncCore.RecordError) -> ReplicaError {
        ReplicaError("\(error); nothing was changed")
    }
}
