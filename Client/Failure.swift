import ArgumentParser
import PlanSyncClient
import PlanSyncReplica

/// `plansync`'s exit statuses, after sysexits(3), so scripts can tell a typo from a server that is down.
/// The table is in README.md, "Exit statuses".
enum ExitStatus {
    /// The command line is malformed: unknown command or option, missing or bad argument, no replica given.
    static let usage: Int32 = 64
    /// The data was refused: a malformed input file, an invalid or refused edit, an unknown id.
    static let dataRefused: Int32 = 65
    /// An input file or the replica does not exist or cannot be read.
    static let noInput: Int32 = 66
    /// The server cannot be reached, did not answer in time, failed, or does not speak PlanSync's protocol.
    static let unavailable: Int32 = 69
    /// A fault of plansync itself.
    static let internalError: Int32 = 70
    /// An output file or the replica cannot be created or written.
    static let cannotCreate: Int32 = 73
    /// The server refused the token (unknown or revoked) or what its role may do.
    static let noPermission: Int32 = 77
}

/// An error the user reads as one line, with the exit status it ends the command with.
struct Failure: Error, CustomStringConvertible {
    let status: Int32
    let message: String

    init(_ status: Int32, _ message: String) {
        self.status = status
        self.message = message
    }

    var description: String { message }

    /// Any error a command threw, as what the user reads and the status it exits with.
    init(_ error: any Error) {
        switch error {
        case let failure as Failure:
            self = failure
        case let error as ValidationError:
            // Thrown by `run()` (a `validate()` one is a parse error): the command line was fine, the data not.
            self.init(ExitStatus.dataRefused, error.message)
        case let error as SyncError:
            self.init(error.exitStatus, error.message)
        case let error as ReplicaError:
            self.init(error.exitStatus, error.description)
        case let error where String(reflecting: type(of: error)).hasPrefix("PlanSync"):
            // PlanSync's own libraries word their errors for the user, and refuse data rather than fail.
            self.init(ExitStatus.dataRefused, "\(error)")
        default:
            self.init(ExitStatus.internalError, "internal error (please report it): \(error)")
        }
    }
}

extension SyncError {
    var exitStatus: Int32 {
        switch kind {
        case .unreachable, .server, .untrusted, .refused(status: 429): ExitStatus.unavailable
        case .refused(status: 401), .refused(status: 403): ExitStatus.noPermission
        case .refused: ExitStatus.dataRefused
        }
    }

    /// A failed sync in one line: what happened, that nothing was lost, and what to do — retrying only when
    /// retrying can help (a revoked token or a refused role stays refused).
    func syncFailure(queued: Int) -> String {
        let kept = "nothing was lost: \(queued) record(s) still queued"
        switch kind {
        case .unreachable, .server:
            return "sync failed: \(message) (\(kept); run 'plansync sync' again)"
        case .untrusted:
            return "sync failed: \(message) (\(kept))"
        case .refused(status: 429):
            return "sync failed: \(message) (\(kept); run 'plansync sync' then)"
        case .refused(status: 401):
            return "sync failed: the server refused this replica's token: it is unknown or was revoked (\(kept)); "
                + "ask the server's administrator for a new token and give it to 'plansync init' on this replica"
        case .refused(status: 403):
            return "sync failed: \(message) (\(kept)); retrying will not help until the server's administrator "
                + "changes this token's access"
        case .refused:
            return "sync failed: \(message) (\(kept))"
        }
    }
}

extension ReplicaError {
    var exitStatus: Int32 {
        switch kind {
        case .noReplica: ExitStatus.noInput
        case .noRecord, .refused, .other: ExitStatus.dataRefused
        case .cannotCreate: ExitStatus.cannotCreate
        }
    }
}
