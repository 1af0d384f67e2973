import ArgumentParser
import Foundation

/// The access token for `plansync init`, from exactly one of `--token`, `--token-file` or `$PLANSYNC_TOKEN`.
/// The file and the variable keep the token out of `ps` and the shell's history.
struct TokenOptions: ParsableArguments {
    @Option(help: "The access token the server's administrator gave you (visible to 'ps'; prefer --token-file).")
    var token: String?
    @Option(help: ArgumentHelp("A file whose first line is the access token.", valueName: "file"))
    var tokenFile: String?

    var value: String {
        get throws {
            let environment = ProcessInfo.processInfo.environment["PLANSYNC_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
            let given = [token != nil, tokenFile != nil, environment != nil].count(where: { $0 })
            guard given == 1 else {
                throw Failure(
                    ExitStatus.usage,
                    given == 0
                        ? "no token: pass --token-file FILE or --token TOKEN, or set PLANSYNC_TOKEN"
                        : "give the token one way only: --token, --token-file or PLANSYNC_TOKEN")
            }
            if let token { return token }
            if let environment { return environment.trimmingCharacters(in: .whitespacesAndNewlines) }
            let path = tokenFile ?? ""
            // `isNewline`, not "\n": a CRLF is one Character and would not split at "\n".
            let text = try readText(path)
            let lines = text.split(maxSplits: 1, omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            let first = lines.first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            guard !first.isEmpty else { throw ValidationError("\(path): the first line holds no token") }
            return first
        }
    }
}
