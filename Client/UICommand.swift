import ArgumentParser
import Foundation
import Hummingbird
import Logging
import PlanSyncCore
import PlanSyncPages
import PlanSyncReplica
import PlanSyncWorkflows

/// `plansync ui`: the PlanSync pages on 127.0.0.1 over one field replica, offline.
struct UI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ui",
        abstract: "Serve the PlanSync pages on 127.0.0.1 over this replica: read plans, write reports, decide "
            + "conflicts offline, and sync when a link appears.",
        discussion: """
            Sign in with this replica's own token. Sessions live in this process: stopping it signs the browser \
            out. Stop it with Ctrl-C.
            """)

    @OptionGroup var replica: ReplicaOptions
    @Option(help: "The port on 127.0.0.1 (0: a free one, printed).") var port: Int = 8081

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0 to 65535, not \(port)") }
    }

    func run() async throws {
        let path = try replica.path
        let replica = try replica.open()
        let identity = try await replica.identity()
        let pages = try PageRoutes(
            host: ReplicaPageHost(replica: replica, token: identity.token, principal: identity.principal))
        let router = Router()
        pages.add(to: router)
        var logger = Logger(label: "plansync-ui")
        logger.logLevel = .warning
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "plansync-ui"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? port
                FileHandle.standardOutput.write(Data("plansync ui: http://127.0.0.1:\(port)/ (replica \(path))\n".utf8))
            },
            logger: logger)
        try await app.runService()
    }
}

/// The pages' host over a field replica: the one person it knows is the holder of the replica's own token,
/// read once at start (a replica's token changes only with `plansync init`, which a running `ui` does not see).
struct ReplicaPageHost: PageHost {
    let replica: Replica
    let token: String
    let principal: Principal

    func principal(token given: String) async throws -> Principal? {
        Secrets.equal(given, token) ? principal : nil
    }

    func workspace(for principal: Principal) async throws -> any Workspace { replica }

    var sync: (@Sendable () async throws -> String)? {
        { [replica] in Sync.summary(of: try await Sync.once(replica)) }
    }
}
