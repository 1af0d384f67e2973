import ArgumentParser
import Foundation
import PlanSyncCore
import PlanSyncReplica

struct BundleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Sync by file when there is no link: write a bundle for another replica, or join one.",
        discussion: """
            A bundle is one SQLite file (docs/PROTOCOL.md, "Bundles") to carry on a USB stick or send by e-mail. \
            Two replicas that exchange bundles both ways end identical, with the conflicts a sync through the \
            server would give. A replica with a link relays the pushes its bundles carried to the server on its \
            next sync; the server believes them only when the key of the replica that wrote them signed them.
            """,
        subcommands: [Export.self, Import.self])

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write what a peer lacks (or everything) into one bundle file, signed by this replica.")

        @OptionGroup var replica: ReplicaOptions
        @Option(help: "The bundle file to write (replaced if it exists).") var output: String
        @Option(
            help: ArgumentHelp(
                "Only what this peer (a replica id) lacks, as far as its last bundle imported here says.",
                valueName: "replica-id"))
        var sincePeer: String?

        func run() async throws {
            let peer = try sincePeer.map { text in
                guard let id = ReplicaID(validating: text) else {
                    throw Failure(ExitStatus.usage, "--since-peer must be a replica id (see 'plansync status'), not '\(text)'")
                }
                return id
            }
            let replica = try replica.open()
            let summary = try await replica.exportBundle(to: output, sincePeer: peer)
            let identity = try await replica.identity()
            print(
                "wrote \(output): \(summary.records) record(s) of replica \(identity.replica)"
                    + (summary.carried > 0 ? " and \(summary.carried) push(es) it carries for others" : ""))
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Join a bundle into this replica, whole or not at all (a cut or changed file is refused).")

        @Argument(help: "The bundle file.") var bundle: String
        @OptionGroup var replica: ReplicaOptions

        func run() async throws {
            let replica = try replica.open()
            let read = try ReplicaBundle.read(from: bundle)
            let summary = try await replica.importBundle(read)
            let conflicts = try await replica.conflictCount()
            var line = "joined \(bundle) from replica \(read.exporter): \(summary.records) record(s) changed here"
            if summary.carried > 0 { line += "; \(summary.carried) push(es) to relay on the next sync" }
            if conflicts > 0 { line += "; \(conflicts) conflict(s): run 'plansync conflicts'" }
            print(line)
        }
    }
}
