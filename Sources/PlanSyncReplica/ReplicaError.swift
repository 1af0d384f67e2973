import PlanSyncCore

/// Why a replica refused an operation. Every case reads as one actionable line.
public struct ReplicaError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, for a caller that answers each differently (a command's exit status).
    public enum Kind: Hashable, Sendable {
        /// No replica file, or the file is not a replica.
        case noReplica
        /// No record of that id.
        case noRecord
        /// The edit was refused or is invalid; nothing was queued.
        case refused
        /// The replica file could not be created or made private.
        case cannotCreate
        /// Anything else.
        case other
    }

    public let kind: Kind
    public let description: String

    init(_ description: String, kind: Kind = .other) {
        self.kind = kind
        self.description = description
    }

    static func noReplica(_ path: String) -> ReplicaError {
        ReplicaError("no replica at \(path) (create one with 'plansync init')", kind: .noReplica)
    }

    public static func noRecord(_ id: String) -> ReplicaError {
        ReplicaError("no record '\(id)' in this replica (run 'plansync list' to see the ids)", kind: .noRecord)
    }

    static func refused(_ id: String, _ reason: String) -> ReplicaError {
        ReplicaError("refused: \(id): \(reason); nothing was queued", kind: .refused)
    }

    static func invalid(_ error: PlanSyncCore.RecordError) -> ReplicaError {
        ReplicaError("\(error); nothing was changed", kind: .refused)
    }
}
