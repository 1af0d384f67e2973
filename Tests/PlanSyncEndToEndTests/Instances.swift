import Foundation
import PlanSyncTestSupport
import Synchronization
import Testing

/// A temporary world on PostgreSQL: a database of its own, several `plansync-server serve --database` instances
/// on it, and replica files beside them.
final class Instances: Sendable {
    let directory: TemporaryDirectory
    let database: TestDatabase
    /// The running instances, by index; one may be replaced (killed and started again).
    private let running: Mutex<[ServerProcess]>

    /// Starts `count` instances together on a new, empty database.
    init(_ count: Int) throws {
        directory = try TemporaryDirectory()
        database = try TestDatabase()
        let url = database.url
        running = Mutex(try concurrently(count) { _ in try ServerProcess.start(database: url) })
    }

    deinit {
        for server in running.withLock({ $0 }) { server.stop(signal: SIGKILL) }
        database.remove()
        directory.remove()
    }

    subscript(index: Int) -> ServerProcess { running.withLock { $0[index] } }

    var count: Int { running.withLock { $0.count } }

    /// Starts instance `index` again (after it was stopped) on a port of its own.
    func restart(_ index: Int) throws {
        let server = try ServerProcess.start(database: database.url)
        running.withLock { $0[index] = server }
    }

    /// Creates a token through instance 0's command line and a replica that syncs through `url`.
    func replica(_ name: String, role: String = "admin", through url: String) throws -> (path: String, token: String) {
        let token = try self[0].token(name: name, role: role)
        let path = directory.file("\(name).sqlite")
        try expectSuccess(run("plansync", ["init", "--replica", path, "--server", url, "--token", token]))
        return (path, token)
    }

    func plansync(_ replica: String, _ arguments: String...) throws -> CommandResult {
        try run("plansync", arguments + ["--replica", replica])
    }

    func dump(_ replica: String) throws -> String {
        let result = try plansync(replica, "dump", "--json")
        try expectSuccess(result)
        return result.stdout
    }

    /// The ids of the bundled activities and related activities (which have a `comment`), in order.
    func activityIDs() throws -> [String] {
        try database.value("SELECT id FROM record WHERE collection IN ('activity', 'related') ORDER BY id")
            .split(separator: "\n").map(String.init)
    }
}

/// Runs `body(0..<count)` on threads of their own (the commands they run block), and returns the results in
/// order; the first error is thrown once all have finished.
func concurrently<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) throws -> T) throws -> [T] {
    let results = Mutex<[Int: Result<T, any Error>]>([:])
    let done = DispatchSemaphore(value: 0)
    for index in 0..<count {
        Thread {
            let result = Result { try body(index) }
            results.withLock { $0[index] = result }
            done.signal()
        }.start()
    }
    for _ in 0..<count { done.wait() }
    return try results.withLock { results in try (0..<count).map { try results[$0]!.get() } }
}
