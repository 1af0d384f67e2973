import Foundation
import PlanSyncTestSupport
import Testing

/// Every command's help, found by walking the real binaries' own help: `--help` on each command and
/// `help COMMAND` print it to stdout and exit 0, and so does a group run without a subcommand.
@Suite("Help for every command")
struct CommandHelpTests {
    /// The subcommand names a help text lists under `SUBCOMMANDS:`, without the built-in `help`. An entry is
    /// indented two spaces; its wrapped abstract is indented more, and a blank line ends the list.
    static func subcommands(in help: String) -> [String] {
        let lines = help.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0.hasPrefix("SUBCOMMANDS:") }) else { return [] }
        var names: [String] = []
        for line in lines[(start + 1)...] {
            if line.allSatisfy(\.isWhitespace) { break }
            if let match = line.wholeMatch(of: /\ \ ([a-z][a-z0-9-]*)( \(default\))?(,[^ ]+)*( {2,}.*)?/) {
                names.append(String(match.1))
            }
        }
        return names.filter { $0 != "help" }
    }

    /// Every command path under `binary`, the root included, with its help as `--help` prints it.
    static func walk(_ binary: String) throws -> [(path: [String], help: String)] {
        var found: [(path: [String], help: String)] = []
        var pending: [[String]] = [[]]
        while let path = pending.popLast() {
            let result = try run(binary, path + ["--help"])
            #expect(result.status == 0, "\(binary) \(path.joined(separator: " ")) --help: \(result)")
            found.append((path, result.stdout))
            pending += subcommands(in: result.stdout).map { path + [$0] }
        }
        return found
    }

    @Test(arguments: ["plansync", "plansync-server"])
    func everyCommandPrintsItsHelpAndExitsZero(binary: String) throws {
        let commands = try Self.walk(binary)
        #expect(commands.count > (binary == "plansync" ? 30 : 4), "\(commands.map(\.path))")
        for (path, help) in commands {
            let name = ([binary] + path).joined(separator: " ")
            #expect(help.contains("USAGE: \(name)"), "\(name) --help: \(help)")
            let viaHelp = try run(binary, ["help"] + path)
            #expect(viaHelp.status == 0 && viaHelp.stdout == help && viaHelp.stderr.isEmpty, "help \(name): \(viaHelp)")
            if !Self.subcommands(in: help).isEmpty {
                let bare = try run(binary, path)
                #expect(bare.status == 0 && bare.stdout == help, "\(name) alone: \(bare)")
            }
        }
    }

    @Test func aMalformedCommandLinePrintsUsageAndOtherErrorsOneLine() throws {
        let malformed = try run("plansync", ["sync", "--no-such-option"])
        #expect(malformed.status == 64 && malformed.stderr.hasPrefix("plansync: "), "\(malformed)")
        #expect(malformed.stderr.hasSuffix("(see 'plansync sync --help')\n"), "\(malformed)")
        #expect(malformed.stderr.split(separator: "\n").count == 1, "\(malformed)")
        let missing = try run("plansync", ["status", "--replica", "/nonexistent/replica.sqlite"])
        #expect(missing.status == 66, "\(missing)")
        #expect(missing.stderr.hasPrefix("plansync: "), "\(missing)")
        #expect(missing.stderr.split(separator: "\n").count == 1, "\(missing)")
    }

    /// `--version` names the version and the protocol versions the binary speaks, and exits 0.
    @Test func bothBinariesSayTheirVersion() throws {
        let client = try run("plansync", ["--version"])
        #expect(
            client.status == 0 && client.stdout.hasPrefix("plansync 0.") && client.stdout.contains("protocol 2"),
            "\(client)")
        let server = try run("plansync-server", ["--version"])
        #expect(server.status == 0 && server.stdout.contains("protocol versions 1 to 2"), "\(server)")
    }
}
