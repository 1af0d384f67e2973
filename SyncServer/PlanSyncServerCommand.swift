import ArgumentParser
import Foundation
import Logging
import Metrics
import PlanSyncCore
import PlanSyncPages
import PlanSyncServer

@main
struct PlanSyncServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plansync-server",
        abstract: "The PlanSync sync server: stores every replica's changes and serves them to the others.",
        version: PlanSyncVersion.server,
        subcommands: [Serve.self, Token.self, Backup.self, Restore.self, Offices.self, Compact.self])
}

/// Where every subcommand finds the server's data: a data folder (the embedded SQLite store), or a PostgreSQL
/// database that several instances share.
struct StoreOptions: ParsableArguments {
    @Option(help: "The server's data folder (created and seeded with the bundled plans when empty or missing).")
    var data: String?
    @Option(
        help: ArgumentHelp(
            "A PostgreSQL database, postgres://USER@HOST:PORT/DB, that several instances can share (created "
                + "tables and seeded on first use); also read from PLANSYNC_DATABASE_URL.",
            valueName: "url"))
    var database: String?

    init() {}

    init(data: String?, database: String?) {
        self.data = data
        self.database = database
    }

    /// The storage named: `--data`, `--database`, or `PLANSYNC_DATABASE_URL` when neither is given.
    enum Location {
        case folder(String)
        case database(DatabaseURL)
    }

    var location: Location {
        get throws {
            if data != nil, database != nil { throw ValidationError("give --data DIR or --database URL, not both") }
            if let data { return .folder(data) }
            let environment = ProcessInfo.processInfo.environment["PLANSYNC_DATABASE_URL"].flatMap {
                $0.isEmpty ? nil : $0
            }
            guard let text = database ?? environment else {
                throw ValidationError("missing --data DIR or --database URL (or PLANSYNC_DATABASE_URL)")
            }
            do {
                return .database(try DatabaseURL(text))
            } catch {
                throw ValidationError("--database: \(error)")
            }
        }
    }

    func validate() throws {
        _ = try location
    }

    /// Refuses a data folder that holds no PlanSync data, for the commands that read data rather than create it.
    static func requireData(in folder: String) throws {
        guard FileManager.default.fileExists(atPath: folder + "/plansync.sqlite") else {
            throw ValidationError("\(folder) holds no PlanSync data (no plansync.sqlite)")
        }
    }

    /// The store of data that exists already: a data folder without any is refused, not created and seeded.
    func existingStore() async throws -> any SyncStore {
        if case .folder(let data) = try location { try Self.requireData(in: data) }
        return try await store()
    }

    func store(logger: Logger? = nil) async throws -> any SyncStore {
        switch try location {
        case .folder(let data):
            do {
                return try SQLiteSyncStore(directory: data, logger: logger)
            } catch {
                throw ValidationError("cannot open the data folder \(data): \(error)")
            }
        case .database(let url):
            do {
                return try await PostgresSyncStore(url: url, logger: logger)
            } catch {
                // Not a malformed command line: the database did not answer or refused (69, as for a server
                // that cannot be reached).
                FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
                throw ExitCode(69)
            }
        }
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the sync server until SIGTERM or SIGINT (in-flight requests finish first).")

    @OptionGroup var options: ServeOptions

    func run() async throws {
        let settings: ServeSettings
        do {
            settings = try await ServeSettings.resolve(options, environment: ProcessInfo.processInfo.environment)
        } catch {
            FileHandle.standardError.write(Data("plansync-server: \(error)\n".utf8))
            throw ExitCode(78)  // EX_CONFIG
        }
        // An empty setting (PLANSYNC_DATABASE_URL= in a shell) counts as none.
        let given = { (key: String) in settings.optionalString(key).flatMap { $0.isEmpty ? nil : $0 } }
        let storage = StoreOptions(data: given("data"), database: given("database.url"))
        guard storage.data != nil || storage.database != nil else {
            FileHandle.standardError.write(
                Data(
                    ("plansync-server: no data or database.url setting: give --data or --database, PLANSYNC_DATA or "
                        + "PLANSYNC_DATABASE_URL, or 'data' or 'database.url' in "
                        + (options.config ?? "a configuration file") + "\n").utf8))
            throw ExitCode(78)  // EX_CONFIG
        }
        try storage.validate()
        let (tls, logging, limitOptions): (TLSOptions, LogOptions, LimitOptions)
        do {
            (tls, logging, limitOptions) = try options.resolved(settings)
        } catch {
            FileHandle.standardError.write(Data("plansync-server: \(error)\n".utf8))
            throw ExitCode(78)  // EX_CONFIG
        }
        let schedule: CompactionSchedule?
        do {
            schedule = try options.compactionSchedule(settings)
        } catch {
            FileHandle.standardError.write(Data("plansync-server: \(error)\n".utf8))
            throw ExitCode(78)  // EX_CONFIG
        }
        let logger = logging.bootstrap()
        // A data folder is one server's alone; a database is shared by every instance started on it.
        var lock: DataFolderLock?
        if case .folder(let data) = try storage.location {
            do {
                lock = try DataFolderLock(directory: data, purpose: "start")
            } catch let error as StoreError {
                throw ValidationError("\(error)")
            }
        }
        defer { lock?.release() }
        let store = try await storage.store(logger: logger)
        // Every start opens a new epoch of the history, before the first request.
        let epoch = try await store.epoch()
        logger.info("epoch opened", metadata: ["epoch": "\(epoch.id)", "seq": "\(epoch.startedAt)"])
        let metrics = ServerMetrics()
        MetricsSystem.bootstrap(metrics.factory)
        var limits = SyncServer.Limits()
        var network = NetworkSettings()
        try tls.apply(to: &network)
        limitOptions.apply(to: &limits, &network)
        var server = SyncServer(store: store, limits: limits, logger: logger, metrics: metrics)
        server.network = network
        // One desk per server: the pages' writes are made by it, for the person signed in.
        let desk = ServerDesk(store: store, logger: logger)
        server.pages = try PageRoutes(
            host: ServerPageHost(store: store, desk: desk), secureCookies: network.scheme == "https")
        let host = settings.string("host")
        // The database as its URL prints (no password).
        let place: String
        switch try storage.location {
        case .folder(let data): place = data
        case .database(let url): place = "\(url)"
        }
        let (configured, port) = (server, settings.int("port"))
        try await withThrowingTaskGroup { group in
            if let schedule {
                group.addTask { await schedule.run(store: store, logger: logger) }
            }
            group.addTask { try await Self.run(configured, host: host, port: port, place: place, logger: logger) }
            // The server stopped (or failed): the schedule stops with it.
            try await group.next()
            group.cancelAll()
        }
        logger.info("plansync-server stopped: in-flight requests finished")
    }

    private static func run(_ server: SyncServer, host: String, port: Int, place: String, logger: Logger) async throws {
        let scheme = server.network.scheme
        let rates = "push \(server.limits.pushRate), pull \(server.limits.pullRate)"
        try await server.run(host: host, port: port) { port in
            logger.info(
                "plansync-server started",
                metadata: [
                    "version": "\(PlanSyncVersion.server)", "address": "\(scheme)://\(host):\(port)",
                    "storage": "\(place)", "rates": "\(rates)",
                ])
            // Unbuffered, so a supervisor reading the pipe sees the line as soon as connections are accepted.
            FileHandle.standardOutput.write(
                Data("plansync-server listening on \(scheme)://\(host):\(port)\n".utf8))
        }
    }
}

struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create or revoke access tokens (works while the server runs).",
        subcommands: [Create.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token and print it, once, alone on stdout. Only its SHA-256 hash is stored.")

        @OptionGroup var storage: StoreOptions
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
            let store = try await storage.store()
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

        @OptionGroup var storage: StoreOptions
        @Option(help: "The name the token was created with.") var name: String

        func run() async throws {
            guard try await storage.store().revokeToken(name: name) else {
                throw ValidationError("no live token named '\(name)'")
            }
            print("revoked \(name)")
        }
    }
}

struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a consistent copy of the data to one file, while the server runs.",
        discussion: "On PostgreSQL the copy is pg_dump's plain SQL, taken in one snapshot.")

    @OptionGroup var storage: StoreOptions
    @Option(help: "The backup file to write (must not exist).") var output: String

    func run() async throws {
        let summary: SQLiteSyncStore.BackupSummary
        do {
            switch try storage.location {
            case .folder(let data):
                try StoreOptions.requireData(in: data)
                guard let store = try await storage.store() as? SQLiteSyncStore else { return }
                summary = try store.backup(to: output)
            case .database(let url):
                summary = try await PostgresSyncStore.backup(url: url, to: output)
            }
        } catch let error as StoreError {
            throw ValidationError("\(error)")
        }
        print("backed up \(summary.records) record(s) up to change \(summary.seq) to \(output)")
    }
}

struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Put a backup back in place of the data (the server must be stopped).",
        discussion: "Replicas notice at their next sync that the server went back: they push again their own "
            + "writes the backup lacks and pull again what they may have missed. On PostgreSQL the backup is "
            + "loaded into an empty database (create it first); every instance is stopped.")

    @OptionGroup var storage: StoreOptions
    @Option(help: "The backup file, written by 'plansync-server backup'.") var from: String

    func run() async throws {
        do {
            switch try storage.location {
            case .folder(let data):
                let summary = try SQLiteSyncStore.restore(directory: data, from: from)
                print("restored \(summary.records) record(s) up to change \(summary.seq) from \(from) into \(data)")
            case .database(let url):
                let summary = try await PostgresSyncStore.restore(url: url, from: from)
                print("restored \(summary.records) record(s) up to change \(summary.seq) from \(from) into \(url)")
            }
        } catch let error as StoreError {
            throw ValidationError("\(error)")
        }
    }
}

extension Role: ExpressibleByArgument {}
