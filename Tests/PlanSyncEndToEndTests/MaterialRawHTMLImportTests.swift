import Foundation
import PlanSyncTestSupport
import Testing

/// Raw HTML in a material's text is refused on every way it enters a replica — a Markdown file, a translated
/// file, one edit, an XLIFF unit — in one line, with the replica exactly as it was.
@Suite("Raw HTML refused in materials", .serialized)
struct MaterialRawHTMLImportTests {
    @Test func everyWayIntoAMaterialRefusesAScript() throws {
        let cluster = try Cluster()
        let translator = try cluster.replica("t", role: "translator", language: "fr")
        let editor = try cluster.replica("editor")
        for replica in [translator, editor] { try cluster.sync(replica) }
        let faq = MaterialTests.faq
        let segments = try MaterialTests.segments(faq, nil, in: cluster, replica: editor)
        let segment = try #require(segments[1]["id"] as? String)
        let script = "<script>alert(1)</script>"

        let note = cluster.directory.file("note.md")
        try "# Note\n\nA paragraph with \(script) inside.\n".write(toFile: note, atomically: true, encoding: .utf8)
        let plain = cluster.directory.file("plain.md")
        try "# Note\n\nA paragraph.\n".write(toFile: plain, atomically: true, encoding: .utf8)
        let french = cluster.directory.file("faq-fr.md")
        try expectSuccess(
            cluster.plansync(editor, "material", "export", faq, "--lang", "fr", "--format", "md", "--output", french))
        var translated = try String(contentsOfFile: french, encoding: .utf8)
        translated.insert(contentsOf: " " + script, at: try #require(translated.firstIndex(of: "\n")))
        try translated.write(toFile: french, atomically: true, encoding: .utf8)
        let xlf = cluster.directory.file("faq-fr.xlf")
        try expectSuccess(
            cluster.plansync(translator, "xliff", "export", "--lang", "fr", "--plan", faq, "--output", xlf))
        let xml = try String(contentsOfFile: xlf, encoding: .utf8)
        let unit = try #require(xml.range(of: "<trans-unit id=\"\(segment)#text\""))
        let target = try #require(xml[unit.upperBound...].firstRange(of: /<target[^>]*>[^<]*<\/target>/))
        let edited = xml.replacingCharacters(
            in: target, with: "<target>Avant &lt;script&gt;alert(1)&lt;/script&gt; apres</target>")
        try edited.write(toFile: xlf, atomically: true, encoding: .utf8)

        let editorBefore = try cluster.dump(editor)
        let translatorBefore = try cluster.dump(translator)
        let cases: [(String, [String], String)] = [
            (editor, ["material", "add", "--file", note, "--title", "Note", "--kind", "faq"], "note.md: line 3: raw"),
            (editor, ["material", "add", "--file", plain, "--title", "<b>Note</b>", "--kind", "faq"], "the title: raw"),
            (editor, ["material", "update", faq, "--file", note], "note.md: line 3: raw HTML (<script>)"),
            (editor, ["material", "translate", faq, "--lang", "fr", "--file", french], "faq-fr.md: line 1: raw HTML"),
            (editor, ["set", segment, "text", script], "\(segment) text: raw HTML (<script>)"),
            (translator, ["translate", segment, "text", "--lang", "fr", script], "\(segment) text: raw HTML"),
            (translator, ["xliff", "import", xlf], "faq-fr.xlf: \(segment) text: raw HTML (<script>)"),
        ]
        for (replica, arguments, message) in cases {
            let result = try cluster.plansync(replica, arguments: arguments)
            #expect(result.status == 65, "\(arguments): \(result)")
            #expect(result.stderr.hasPrefix("plansync: ") && result.stderr.contains(message), "\(arguments): \(result)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result)")
        }
        #expect(try cluster.dump(editor) == editorBefore)
        #expect(try cluster.dump(translator) == translatorBefore)
    }
}
