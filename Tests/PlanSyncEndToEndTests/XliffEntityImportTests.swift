import Foundation
import PlanSyncTestSupport
import Testing

/// `plansync xliff import` of a file with a DTD or an entity: refused in one line naming the file and line,
/// with the replica exactly as it was.
@Suite("XLIFF import without DTDs or entities", .serialized)
struct XliffEntityImportTests {
    @Test func aDoctypeOrAnUnknownEntityImportsNothing() throws {
        let cluster = try Cluster()
        let translator = try cluster.replica("t", role: "translator", language: "fr")
        try cluster.sync(translator)
        let before = try cluster.dump(translator)
        let exported = cluster.directory.file("fr.xlf")
        try expectSuccess(
            cluster.plansync(translator, "xliff", "export", "--lang", "fr", "--plan", "iasc-protection-policy",
                "--output", exported))
        let xml = try String(contentsOfFile: exported, encoding: .utf8)
        let target = try #require(xml.firstRange(of: /<target[^>]*>[^<]*<\/target>/))
        let edited = xml.replacingCharacters(in: target, with: "<target>Avant &xxe; apres</target>")
        let declaration = #"<?xml version="1.0" encoding="UTF-8"?>"#
        #expect(edited.hasPrefix(declaration))

        let cases = [
            ("internal.xlf", #"<!DOCTYPE xliff [<!ENTITY xxe "boom">]>"#, "line 2: a <!DOCTYPE> is not allowed"),
            ("system.xlf", #"<!DOCTYPE xliff [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>"#, "line 2: a <!DOCTYPE>"),
            ("undeclared.xlf", nil, "unknown entity &xxe;"),
        ]
        for (name, doctype, message) in cases {
            let file = cluster.directory.file(name)
            let text = doctype.map { edited.replacingOccurrences(of: declaration, with: declaration + "\n" + $0) }
            try (text ?? edited).write(toFile: file, atomically: true, encoding: .utf8)
            let result = try cluster.plansync(translator, "xliff", "import", file)
            #expect(result.status == 65, "\(result)")
            #expect(result.stderr.hasPrefix("plansync: \(file): ") && result.stderr.contains(message), "\(result)")
            #expect(result.stderr.contains("nothing was imported"), "\(result)")
            #expect(result.stderr.trimmingCharacters(in: .newlines).split(separator: "\n").count == 1, "\(result)")
        }
        #expect(try cluster.dump(translator) == before)
        #expect(try cluster.plansync(translator, "status").stdout.contains("queued records: 0"))
    }
}
