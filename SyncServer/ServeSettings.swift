import ArgumentParser
import Configuration
import Foundation
import Logging

/// The flags of `plansync-server serve`: one optional `@Option` per setting, so that a flag left out falls
/// through to the environment, the configuration file and the default (`ServeSetting.all`).
struct ServeOptions: ParsableArguments {
    @Option(help: "The configuration file (JSON), also PLANSYNC_CONFIG (docs/CONFIGURATION.md).") var config: String?
    @Option(help: "The server's data folder, created and seeded when new (PLANSYNC_DATA).") var data: String?
    @Option(
        help: ArgumentHelp(
            "A PostgreSQL database, postgres://USER@HOST:PORT/DB, that several instances share (PLANSYNC_DATABASE_URL).",
            valueName: "url"))
    var database: String?
    @Option(help: "The address to listen on (PLANSYNC_HOST; default 127.0.0.1).") var host: String?
    @Option(help: "The port to listen on; 0 picks a free one (PLANSYNC_PORT; default 8080).") var port: Int?
    @OptionGroup(title: "TLS and proxies") var tls: TLSOptions
    @OptionGroup(title: "Logs") var logging: LogOptions
    @OptionGroup(title: "Limits") var limits: LimitOptions
    @OptionGroup(title: "Compaction") var compaction: CompactionOptions

    /// The TLS, log and limit options as the settings give them (a flag, else the environment, the file, the
    /// default), checked again: a value from the environment or the file has not been checked at parsing.
    func resolved(_ settings: ServeSettings) throws -> (TLSOptions, LogOptions, LimitOptions) {
        var tls = self.tls
        (tls.tlsCert, tls.tlsKey) = (settings.optionalString("tls.cert"), settings.optionalString("tls.key"))
        var logging = self.logging
        let format = settings.string("log.format")
        guard let parsed = LogOptions.Format(rawValue: format) else {
            throw ValidationError("log.format must be text or json, not '\(format)'")
        }
        logging.logFormat = parsed
        if let level = settings.optionalString("log.level") {
            guard let parsed = Logger.Level(rawValue: level) else {
                throw ValidationError("log.level must be trace, debug, info, notice, warning, error or critical")
            }
            logging.logLevel = parsed
        }
        var limits = self.limits
        limits.pushRate = settings.optionalString("limits.push_rate")
        limits.pullRate = settings.optionalString("limits.pull_rate")
        limits.rateBurst = settings.optionalInt("limits.rate_burst")
        limits.headerTimeout = settings.double("limits.header_timeout")
        limits.minBodyRate = settings.int("limits.min_body_rate")
        limits.maxConnections = settings.int("limits.max_connections")
        try tls.validate()
        try limits.validate()
        return (tls, logging, limits)
    }
}

/// One setting of `serve`, read from its flag, else its environment variable (`PLANSYNC_` and the key in
/// capitals, `.` as `_`), else its key in the configuration file (a `.` nests objects), else its default.
struct ServeSetting: Sendable {
    /// The key in the configuration file; the environment variable, and the flag unless told, are named after it.
    let key: String
    /// The flag, without its dashes.
    let flagName: String
    let kind: Kind
    /// nil: the setting is absent unless given (or, when `required`, must be given).
    let defaultValue: ConfigContent?
    let required: Bool
    /// The flag's value, when it was given.
    let flag: @Sendable (ServeOptions) -> ConfigContent?

    enum Kind: String, Sendable {
        case text = "text"
        case wholeNumber = "a whole number"
        case number = "a number"
    }

    /// Every setting of `serve`, in the order of docs/CONFIGURATION.md. A new setting is one line here and its
    /// `@Option` in `ServeOptions`.
    static let all: [ServeSetting] = [
        // One of the two: a data folder, or a database (checked once both are read).
        ServeSetting("data", \.data, default: nil),
        ServeSetting("database.url", \.database, default: nil, flag: "database"),
        ServeSetting("host", \.host, default: "127.0.0.1"),
        ServeSetting("port", \.port, default: 8080),
        ServeSetting("tls.cert", \.tls.tlsCert, default: nil, flag: "tls-cert"),
        ServeSetting("tls.key", \.tls.tlsKey, default: nil, flag: "tls-key"),
        ServeSetting("log.format", \.logging.formatText, default: "text", flag: "log-format"),
        ServeSetting("log.level", \.logging.levelText, default: nil, flag: "log-level"),
        ServeSetting("limits.push_rate", \.limits.pushRate, default: nil, flag: "push-rate"),
        ServeSetting("limits.pull_rate", \.limits.pullRate, default: nil, flag: "pull-rate"),
        ServeSetting("limits.rate_burst", \.limits.rateBurst, default: nil, flag: "rate-burst"),
        ServeSetting("limits.header_timeout", \.limits.headerTimeoutGiven, default: 10, flag: "header-timeout"),
        ServeSetting("limits.min_body_rate", \.limits.minBodyRateGiven, default: 100, flag: "min-body-rate"),
        ServeSetting(
            "limits.max_connections", \.limits.maxConnectionsGiven, default: 1000, flag: "max-connections"),
        ServeSetting("compaction.every", \.compaction.every, default: "1d", flag: "compact-every"),
        ServeSetting(
            "compaction.horizon", \.compaction.horizon, default: TimeSpan.defaultHorizon.description, flag: "horizon"),
    ]

    init(
        _ key: String, _ flag: any KeyPath<ServeOptions, String?> & Sendable, default value: String?,
        required: Bool = false, flag name: String? = nil
    ) {
        self.key = key
        self.flagName = name ?? key.replacingOccurrences(of: ".", with: "-")
        self.required = required
        self.kind = .text
        self.defaultValue = value.map { .string($0) }
        self.flag = { options in options[keyPath: flag].map { .string($0) } }
    }

    init(
        _ key: String, _ flag: any KeyPath<ServeOptions, Int?> & Sendable, default value: Int?, required: Bool = false,
        flag name: String? = nil
    ) {
        self.key = key
        self.flagName = name ?? key.replacingOccurrences(of: ".", with: "-")
        self.required = required
        self.kind = .wholeNumber
        self.defaultValue = value.map { .int($0) }
        self.flag = { options in options[keyPath: flag].map { .int($0) } }
    }

    init(
        _ key: String, _ flag: any KeyPath<ServeOptions, Double?> & Sendable, default value: Double?,
        required: Bool = false, flag name: String? = nil
    ) {
        self.key = key
        self.flagName = name ?? key.replacingOccurrences(of: ".", with: "-")
        self.required = required
        self.kind = .number
        self.defaultValue = value.map { .double($0) }
        self.flag = { options in options[keyPath: flag].map { .double($0) } }
    }

    var environmentVariable: String { "PLANSYNC_" + key.uppercased().replacingOccurrences(of: ".", with: "_") }
    var configKey: AbsoluteConfigKey { AbsoluteConfigKey(key.split(separator: ".").map(String.init)) }
}

/// The settings `serve` runs with: every `ServeSetting` resolved, flags before the environment before the
/// configuration file before the defaults.
struct ServeSettings: Sendable {
    private let values: [String: ConfigContent]

    /// A setting that cannot be read, in one line naming where it came from.
    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    static func resolve(_ options: ServeOptions, environment: [String: String]) async throws(Problem) -> ServeSettings {
        var flags: [AbsoluteConfigKey: ConfigValue] = [:]
        var defaults: [AbsoluteConfigKey: ConfigValue] = [:]
        for setting in ServeSetting.all {
            if let value = setting.flag(options) { flags[setting.configKey] = ConfigValue(value, isSecret: false) }
            if let value = setting.defaultValue { defaults[setting.configKey] = ConfigValue(value, isSecret: false) }
        }
        var providers: [any ConfigProvider] = [
            InMemoryProvider(name: "flags", values: flags),
            KeyMappingProvider(upstream: EnvironmentVariablesProvider(environmentVariables: environment)) { key in
                key.prepending(["plansync"])
            },
        ]
        let file = options.config ?? environment["PLANSYNC_CONFIG"]
        var fileKeys: Set<String> = []
        if let file {
            let (provider, keys) = try await fileProvider(file)
            providers.append(provider)
            fileKeys = keys
        }
        providers.append(InMemoryProvider(name: "defaults", values: defaults))
        let reader = ConfigReader(providers: providers)
        var values: [String: ConfigContent] = [:]
        for setting in ServeSetting.all {
            let given =
                setting.flag(options) != nil || environment[setting.environmentVariable] != nil
                || fileKeys.contains(setting.key)
            if !given, setting.defaultValue == nil {
                guard setting.required else { continue }
                throw Problem(
                    description:
                        "no \(setting.key) setting: give --\(setting.flagName), "
                        + "\(setting.environmentVariable) or '\(setting.key)' in "
                        + (file ?? "a configuration file"))
            }
            let key = ConfigKey(setting.configKey.components)
            do {
                switch setting.kind {
                case .text: values[setting.key] = .string(try reader.requiredString(forKey: key))
                case .wholeNumber: values[setting.key] = .int(try reader.requiredInt(forKey: key))
                case .number: values[setting.key] = .double(try reader.requiredDouble(forKey: key))
                }
            } catch {
                throw problem(with: setting, file: file, environment: environment)
            }
        }
        return ServeSettings(values: values)
    }

    func string(_ key: String) -> String {
        guard case .string(let value) = values[key] else { preconditionFailure("\(key) is not a text setting") }
        return value
    }

    func int(_ key: String) -> Int {
        guard case .int(let value) = values[key] else { preconditionFailure("\(key) is not a whole-number setting") }
        return value
    }

    /// An optional text setting (no default), nil when it was given nowhere.
    func optionalString(_ key: String) -> String? {
        guard case .string(let value) = values[key] else { return nil }
        return value
    }

    /// An optional whole-number setting (no default), nil when it was given nowhere.
    func optionalInt(_ key: String) -> Int? {
        guard case .int(let value) = values[key] else { return nil }
        return value
    }

    func double(_ key: String) -> Double {
        guard case .double(let value) = values[key] else { preconditionFailure("\(key) is not a number setting") }
        return value
    }

    /// Why `setting`, given somewhere, could not be read: not of its kind where it was given.
    private static func problem(with setting: ServeSetting, file: String?, environment: [String: String]) -> Problem {
        if let text = environment[setting.environmentVariable] {
            return Problem(
                description: "\(setting.environmentVariable): expected \(setting.kind.rawValue), not '\(text)'")
        }
        return Problem(
            description: "\(file ?? "the configuration file"): '\(setting.key)': expected \(setting.kind.rawValue)")
    }

    /// The configuration file, refused with one line when it is not a JSON object of known keys.
    private static func fileProvider(
        _ path: String
    ) async throws(Problem) -> (provider: FileProvider<JSONSnapshot>, keys: Set<String>) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw Problem(
                description: "cannot read the configuration file \(path): \((error as NSError).localizedDescription)")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw Problem(description: "\(path): not a JSON object of settings (docs/CONFIGURATION.md)")
        }
        let known = Set(ServeSetting.all.map(\.key))
        let given = keys(of: object)
        if let unknown = given.first(where: { !known.contains($0) }) {
            throw Problem(
                description:
                    "\(path): unknown key '\(unknown)' (the keys are \(known.sorted().joined(separator: ", ")))")
        }
        do {
            let location = ConfigReader(
                provider: InMemoryProvider(values: ["filePath": .init(.string(path), isSecret: false)]))
            return (try await FileProvider<JSONSnapshot>(config: location), Set(given))
        } catch {
            throw Problem(description: "\(path): \(error)")
        }
    }

    /// The keys of a settings object, nested objects joined with `.`, sorted.
    private static func keys(of object: [String: Any], under prefix: String = "") -> [String] {
        object.keys.sorted().flatMap { name -> [String] in
            let key = prefix + name
            if let nested = object[name] as? [String: Any] { return keys(of: nested, under: key + ".") }
            return [key]
        }
    }
}
