import ArgumentParser
import Foundation
import PlanSyncClient
import PlanSyncCore
import PlanSyncReplica
import Synchronization

struct Init: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a replica for a server (harmless if the file already belongs to that server).",
        discussion: """
            The token comes from exactly one of --token-file FILE, $PLANSYNC_TOKEN or --token; the first two keep \
            it out of 'ps' and the shell's history. The replica file is readable by its owner only.
            """)

    @OptionGroup var replica: ReplicaOptions
    @Option(help: "The server's URL, e.g. http://127.0.0.1:8080.") var server: String
    @OptionGroup var credentials: TokenOptions
    @Option(
        help: ArgumentHelp(
            "A PEM certificate authority to trust for an https server besides the system's (a deployment's own).",
            discussion: "Its PEM is kept in the replica: moving or deleting the file afterwards changes nothing."))
    var caFile: String?

    func run() async throws {
        let path = try replica.path
        guard let url = URL(string: server), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw Failure(ExitStatus.usage, "--server must be an http:// or https:// URL, not '\(server)'")
        }
        let token = try credentials.value
        try checkTimeoutVariable()
        let authority = try caFile.map(readAuthority)
        let session = try await HTTPTransport(baseURL: server, token: token, trusting: authority).session()
        _ = try Replica.create(at: path, serverURL: server, token: token, session: session, serverCA: authority)
        let principal = session.principal
        let scope = principal.office.map { " for office \($0)" } ?? principal.language.map { " for \($0)" } ?? ""
        print(
            "replica \(path) ready for \(server) as \(principal.name) (\(principal.role.rawValue)\(scope)); run 'plansync sync'"
        )
    }
}

struct Sync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Push local edits, then pull until caught up. Safe to interrupt and re-run: nothing is lost.")

    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var output: OutputOptions
    @Flag(help: "Then list the records the sync changed here, and what changed in each.") var changes = false

    func run() async throws {
        try checkTimeoutVariable()
        let report = try await Self.once(
            try replica.open(), changes: changes, showProgress: isatty(STDERR_FILENO) == 1 && !output.json)
        if let warning = report.clockWarning { FileHandle.standardError.write(Data("plansync: \(warning)\n".utf8)) }
        if let notice = report.awayWarning { FileHandle.standardError.write(Data("plansync: \(notice)\n".utf8)) }
        if output.json {
            try printJSON(report)
        } else {
            print(Self.summary(of: report))
            for refusal in report.relayRefused { FileHandle.standardError.write(Data("plansync: \(refusal)\n".utf8)) }
            if let changes = report.changes { Self.printChanges(changes) }
        }
    }

    /// One sync of `replica`, as `plansync sync` and the "Sync now" of `plansync ui` run it; a failure is a
    /// `Failure` of one line that says what was kept.
    static func once(_ replica: Replica, changes: Bool = false, showProgress: Bool = false) async throws
        -> SyncReport
    {
        let identity = try await replica.identity()
        let transport = try HTTPTransport(for: identity)
        var session = SyncSession(replica: replica, transport: transport)
        if changes { session.changeLimit = Self.changeLimit }
        let progressLine = ProgressLine(traffic: transport.traffic, enabled: showProgress)
        let report: SyncReport
        do {
            report = try await session.run { progress in progressLine.show(progress) }
        } catch let error as SyncError {
            progressLine.clear()
            let queued = (try? await replica.pendingCount()) ?? 0
            throw Failure(error.exitStatus, error.syncFailure(queued: queued))
        }
        progressLine.clear()
        return report
    }

    /// What a sync did, in one line.
    static func summary(of report: SyncReport) -> String {
        // A held edit changed nothing on the server: say where it went rather than "0 changed".
        let pushed = [
            report.pushedChanged > 0 || report.held == 0 ? "\(report.pushedChanged) changed on the server" : nil,
            report.held > 0 ? "\(report.held) edit(s) of approved reports held for the central team" : nil,
        ].compactMap { $0 }.joined(separator: ", ")
        var line =
            "pushed \(report.pushed) record(s) (\(pushed)), "
            + "pulled \(report.pulled) (\(report.applied) changed here); caught up at \(report.cursor)"
        if report.conflicts > 0 { line += "; \(report.conflicts) conflict(s): run 'plansync conflicts'" }
        if let recovered = report.recovered {
            line +=
                "; the server went back (restored from a backup): \(recovered) record(s) of this replica's pushed again"
        }
        if report.waiting > 0 {
            line += "; \(report.waiting) record(s) wait for writes of other replicas the server lost"
        }
        if report.dropped > 0 {
            line += "; \(report.dropped) record(s) left this replica's scope (unsynced edits kept: 'plansync status')"
        }
        if report.relayed > 0 { line += "; relayed \(report.relayed) push(es) carried here in bundles" }
        return line
    }

    /// How many changed records `--changes` lists; the rest are counted.
    static let changeLimit = 200

    static func printChanges(_ changes: PulledChanges) {
        for change in changes.records {
            Swift.print("changed \(change.id) (\(change.collection)): \(change.changed.joined(separator: ", "))")
        }
        if changes.more > 0 { Swift.print("and \(changes.more) more record(s)") }
    }
}

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the replica's server, identity and queued edits.")

    @OptionGroup var replica: ReplicaOptions

    func run() async throws {
        let replica = try replica.open()
        let identity = try await replica.identity()
        print("server: \(identity.serverURL)")
        print("token: \(identity.principal.name) (\(identity.principal.role.rawValue))")
        print("replica id: \(identity.replica)")
        print("queued records: \(try await replica.pendingCount())")
        print("pulled up to: \(try await replica.cursor())")
        let carried = try await replica.carriedSections()
        print("carried for others (from bundles): \(carried.count)")
        for entry in carried {
            if let refused = entry.refused { print("  \(entry.section.signed.signer): refused by the server: \(refused)") }
        }
        let setAside = try await replica.setAside()
        print("set aside: \(setAside.count)")
        for entry in setAside { print("  \(entry.id) (\(entry.reason), \(entry.at))") }
    }
}

/// `pull: 1200/5000 record(s), 3.4 MB, 4 kB/s` on a terminal, rewritten in place, once a sync has run for a
/// second: a short sync prints nothing but its result. The bytes are those of the phase's direction (sent while
/// pushing, received while pulling) as they went over the wire; the rate is of all bytes, both ways, since the
/// sync started, so that a person on a slow link sees what it carries.
final class ProgressLine: Sendable {
    private let traffic: Traffic
    private let enabled: Bool
    private let started = ContinuousClock.now
    private let shown = Atomic<Bool>(false)

    init(traffic: Traffic, enabled: Bool) {
        self.traffic = traffic
        self.enabled = enabled
    }

    func show(_ progress: SyncProgress) {
        guard enabled, progress.total > 0, ContinuousClock.now - started >= .seconds(1) else { return }
        shown.store(true, ordering: .relaxed)
        let bytes = progress.phase == .push ? traffic.sent : traffic.received
        let seconds = Double((ContinuousClock.now - started).components.seconds)
        let rate = Int(Double(traffic.sent + traffic.received) / max(seconds, 1))
        let line =
            "\(progress.phase.rawValue): \(progress.done)/\(progress.total) record(s), \(Self.size(bytes)), "
            + "\(Self.size(rate))/s"
        FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
    }

    /// Erases the line, if one was shown, before the result or the error is printed.
    func clear() {
        guard shown.load(ordering: .relaxed) else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    static func size(_ bytes: Int) -> String {
        if bytes < 1_000 { return "\(bytes) B" }
        if bytes < 1_000_000 { return "\(bytes / 1_000) kB" }
        return "\(bytes / 100_000 / 10).\(bytes / 100_000 % 10) MB"
    }
}

/// Refuses an unusable `$PLANSYNC_TIMEOUT` rather than silently waiting 30 s instead.
func checkTimeoutVariable() throws {
    let environment = ProcessInfo.processInfo.environment
    guard let text = environment["PLANSYNC_TIMEOUT"], ReadTimeout(environment: environment) == nil else { return }
    throw Failure(ExitStatus.usage, "PLANSYNC_TIMEOUT must be a number of seconds (e.g. 30), not '\(text)'")
}

/// The PEM text of `--ca-file`, refused in one line unless it holds a certificate.
func readAuthority(_ path: String) throws -> String {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        throw Failure(ExitStatus.noInput, "--ca-file \(path): cannot be read")
    }
    do {
        _ = try HTTPTransport.certificates(inPEM: text)
    } catch {
        throw Failure(ExitStatus.dataRefused, "--ca-file \(path): \(error)")
    }
    return text
}
