import Foundation
import PlanSyncClient
import PlanSyncCore
import PlanSyncReplica

/// What every `offices` process needs: the server, the tokens, the shared records, the rounds, and a folder
/// for the replicas and the ready/go signals.
struct OfficesPlan: Codable, Sendable {
    static let file = "plan.json"
    static let go = "go"
    static let abort = "abort"

    var server: String
    var folder: String
    var tokens: [String]
    var ids: [String]
    var rounds: Int
    var editsPerRound: Int

    func signal(_ name: String) throws {
        try Data().write(to: URL(fileURLWithPath: folder + "/" + name))
    }

    func exists(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: folder + "/" + name)
    }

    /// Waits (at most ten minutes) until `processes` processes have said they are ready.
    func waitUntilReady(_ processes: Int) async throws {
        for _ in 0..<120_000 {
            let ready = (try? FileManager.default.contentsOfDirectory(atPath: folder))?.filter {
                $0.hasPrefix("ready-")
            }
            if ready?.count ?? 0 >= processes { return }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw BenchmarkError("the office processes were not ready after ten minutes")
    }

    /// Waits (at most ten minutes) for go; false when told to abort instead.
    func waitForGo() async throws -> Bool {
        for _ in 0..<120_000 {
            if exists(Self.go) { return true }
            if exists(Self.abort) { return false }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw BenchmarkError("no go after ten minutes")
    }
}

/// What one `offices` process reports: every sync's latency in milliseconds, the edits made, and the CPU
/// time the process used for them.
struct OfficesResult: Codable, Sendable {
    var latencies: [Double]
    var edits: Int
    var cpuSeconds: Double
}

/// The child's side: `plansync-bench offices`, a group of field offices in one process.
enum Offices {
    static func run(plan path: String, first: Int, count: Int) async throws {
        let plan = try JSONDecoder().decode(OfficesPlan.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        let indices = Array(first..<first + count)
        let replicas = try await withThrowingTaskGroup(of: (Int, Replica).self) { group in
            for index in indices {
                group.addTask {
                    let token = plan.tokens[index]
                    let transport = HTTPTransport(baseURL: plan.server, token: token)
                    let replica = try Replica.create(
                        at: plan.folder + "/office-\(index).sqlite", serverURL: plan.server, token: token,
                        session: try await transport.session())
                    let own = try HTTPTransport(for: try await replica.identity())
                    _ = try await SyncSession(replica: replica, transport: own).run()
                    return (index, replica)
                }
            }
            var replicas: [(Int, Replica)] = []
            for try await replica in group { replicas.append(replica) }
            return replicas
        }
        try plan.signal("ready-\(first)")
        guard try await plan.waitForGo() else { return }
        let cpuBefore = ProcessCPU.ownSeconds()
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for (index, replica) in replicas {
                group.addTask { try await work(replica, index: index, plan: plan) }
            }
            var all: [Double] = []
            for try await latencies in group { all += latencies }
            return all
        }
        let result = OfficesResult(
            latencies: latencies, edits: count * plan.rounds * plan.editsPerRound,
            cpuSeconds: ProcessCPU.ownSeconds() - cpuBefore)
        print(try WireJSON.string(result))
    }

    /// One office's work: rounds of edits, each followed by a sync whose latency is returned (milliseconds).
    static func work(_ replica: Replica, index: Int, plan: OfficesPlan) async throws -> [Double] {
        var random = SplitMix64(seed: 1_000 + UInt64(index))
        let session = SyncSession(replica: replica, transport: try HTTPTransport(for: try await replica.identity()))
        var latencies: [Double] = []
        for _ in 0..<plan.rounds {
            for _ in 0..<plan.editsPerRound {
                let id = plan.ids.randomElement(using: &random)!
                let edit: Edit =
                    Bool.random(using: &random)
                    ? .set(field: "status", value: ProgressStatus.values.randomElement(using: &random)!)
                    : .set(field: "progress", value: Prose.english.text(between: 100...300, using: &random))
                try await replica.edit(id, edit)
            }
            let (_, seconds) = try await timed { try await session.run() }
            latencies.append(seconds * 1_000)
        }
        return latencies
    }
}
