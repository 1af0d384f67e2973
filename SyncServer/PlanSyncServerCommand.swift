import ArgumentParser
import Foundation
import Logging
import PlanSyncCore
import PlanSyncServer

@main
struct PlanSyncServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plansync-server",
        abstract: "The PlanSync sync server: stores every replica's changes and serves them to the others.",
        version: PlanSyncVersion.server,
        subcommands: [Serve.self, Token.self, Backup.self, Restore.self])
}

/// The data folder every subcommand works on.
struct DataOptions: ParsableArguments {
    @Option(help: "The server's data folder (created and seeded with the bundled plans when empty or missing).")
    var data: String

    func store(logger: Logger? = nil) throws -> SQLiteSyncStore {
        do {
            return try SQLiteSyncStore(directory: data, logger: logger)
        } catch {
            throw ValidationError("cannot open the data folder \(data): \(error)")
        }
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the sync server until SIGTERM or SIGINT (in-flight requests finish first).")

    @OptionGroup var data: DataOptions
    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(help: "The port to listen on; 0 picks a free one.") var port = 8080
    @OptionGroup(title: "TLS and proxies") var tls: TLSOptions
    @OptionGroup(title: "Logs") var logging: LogOptions
    @OptionGroup(title: "Limits") var limitOptions: LimitOptions

    func run() async throws {
        let logger = logging.bootstrap()
        let lock: DataFolderLock
        do {
            lock = try DataFolderLock(directory: data.data, purpose: "start")
        } catch let error as StoreError {
            throw ValidationError("\(error)")
        }
        defer { lock.release() }
        let store = try data.store(logger: logger)
        // Every start opens a new epoch of the history, before the first request.
        let epoch = try await store.epoch()
        logger.info("epoch opened", metadata: ["epoch": "\(epoch.id)", "seq": "\(epoch.startedAt)"])
        var limits = SyncServer.Limits()
        var network = NetworkSettings()
        try tls.apply(to: &network)
        limitOptions.apply(to: &limits, &network)
        var server = SyncServer(store: store, limits: limits, logger: logger)
        server.network = network
        let (host, scheme, rates) = (self.host, network.scheme, "push \(limits.pushRate), pull \(limits.pullRate)")
        try await server.run(host: host, port: port) { port in
            logger.info(
                "plansync-server started",
                metadata: [
                    "version": "\(PlanSyncVersion.server)", "address": "\(scheme)://\(host):\(port)",
                    "data": "\(data.data)", "rates": "\(rates)",
                ])
            // Unbuffered, so a supervisor reading the pipe sees the line as soon as connections are accepted.
            FileHandle.standardOutput.write(
                Data("plansync-server listening on \(scheme)://\(host):\(port)\n".utf8))
        }
        logger.info("plansync-server stopped: in-flight requests finished")
    }
}

struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create or revoke access tokens (works while the server runs).",
        subcommands: [Create.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token and print it, once, alone on stdout. Only its SHA-256 hash is stored.")

        @OptionGroup var data: DataOptions
        @Option(help: "A unique name for the token's holder (recorded on the conflicts they resolve).")
        var name: String
        @Option(help: "admin, office, translator or viewer.") var role: Role
        @Option(help: "The office code an office token writes for.") var office: String?
        @Option(help: "The language a translator token writes (ar, fr or es).") var language: String?

        func validate() throws {
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ValidationError("--name must not be empty")
            }
            if role == .office, (office ?? "").isEmpty { throw ValidationError("an office token needs --office CODE") }
            if role == .translator {
                guard let language, Schema.languages.contains(language) else {
                    throw ValidationError("a translator token needs --language ar, fr or es")
                }
            }
            if role != .office, office != nil { throw ValidationError("--office is only for office tokens") }
            if role != .translator, language != nil {
                throw ValidationError("--language is only for translator tokens")
            }
        }

        func run() async throws {
            let store = try data.store()
            let token = TokenHash.newToken()
            do {
                try await store.createToken(
                    Principal(name: name, role: role, office: office, language: language), hash: TokenHash.hash(token))
            } catch let error as StoreError {
                throw ValidationError("\(error)")
            }
            print(token)
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a token; the server refuses it from the next request on.")

        @OptionGroup var data: DataOptions
        @Option(help: "The name the token was created with.") var name: String

        func run() async throws {
            guard try await data.store().revokeToken(name: name) else {
                throw ValidationError("no live token named '\(name)'")
            }
            print("revoked \(name)")
        }
    }
}

struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a consistent copy of the data to one file, while the server runs.")

    @OptionGroup var data: DataOptions
    @Option(help: "The backup file to write (must not exist).") var output: String

    func run() async throws {
        guard FileManager.default.fileExists(atPath: data.data + "/plansync.sqlite") else {
            throw ValidationError("\(data.data) holds no PlanSync data (no plansync.sqlite)")
        }
        do {
            let summary = try data.store().backup(to: output)
            print("backed up \(summary.records) record(s) up to change \(summary.seq) to \(output)")
        } catch let error as StoreError {
            throw ValidationError("\(error)")
        }
    }
}

struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Put a backup back in place of the data (the server must be stopped).",
        discussion: "Replicas notice at their next sync that the server went back: they push again their own "
            + "writes the backup lacks and pull again what they may have missed.")

    @Option(help: "The server's data folder.") var data: String
    @Option(help: "The backup file, written by 'plansync-server backup'.") var from: String

    func run() async throws {
        do {
            let summary = try SQLiteSyncStore.restore(directory: data, from: from)
            print("restored \(summary.records) record(s) up to change \(summary.seq) from \(from) into \(data)")
        } catch let error as StoreError {
            throw ValidationError("\(error)")
        }
    }
}

extension Role: ExpressibleByArgument {}
