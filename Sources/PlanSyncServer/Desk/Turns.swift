import Synchronization

/// Runs operations one at a time, in the order they were asked for: an operation starts when the one before it
/// has ended, whoever asked for it.
final class Turns: Sendable {
    /// The end of the last operation asked for. Guarded by the mutex.
    private let last = Mutex<Task<Void, Never>?>(nil)

    func run<Result: Sendable>(_ operation: @escaping @Sendable () async throws -> Result) async throws -> Result {
        // Unstructured: each operation waits for one started by another caller, which no task of this caller owns.
        let task = last.withLock { last in
            let previous = last
            let task = Task<Result, any Error> {
                await previous?.value
                return try await operation()
            }
            last = Task { _ = try? await task.value }
            return task
        }
        return try await task.value
    }
}
