import Foundation
import PlanSyncTestSupport
import Testing

/// The translator's workflow with the real binaries: bundled translations, staleness across replicas, XLIFF
/// validated against the OASIS schema and round-tripped through translate-toolkit, quality checks.
@Suite("Translation workflow", .serialized)
struct TranslationWorkflowTests {
    static let unit = "iasc-protection-policy/C.3/1"
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let schema = root.deletingLastPathComponent().appendingPathComponent("shared/xliff-schemas/xliff-core-1.2-transitional.xsd")

    @Test func aNewReplicaHoldsEveryFieldInFourLanguages() throws {
        let cluster = try Cluster()
        let replica = try cluster.replica("reader", role: "viewer")
        try cluster.sync(replica)
        let coverage = try json(cluster.plansync(replica, "translations", "status", "--json").stdout) as! [[String: Any]]
        #expect(coverage.count == 15, "two plans and three materials in three languages")
        for row in coverage {
            #expect(row["missing"] as? Int == 0, "\(row)")
            #expect(row["stale"] as? Int == 0, "\(row)")
            #expect((row["translated"] as? Int ?? 0) > 10 && row["translated"] as? Int == row["units"] as? Int, "\(row)")
        }
        let arabic = try json(cluster.plansync(replica, "show", "iasc-protection-policy/A.1", "--lang", "ar", "--json").stdout)
            as! [String: Any]
        #expect(arabic["language"] as? String == "ar" && arabic["direction"] as? String == "rtl")
        let title = (arabic["fields"] as! [[String: Any]]).first { $0["name"] as? String == "title" }
        let text = (title?["translation"] as? [String: Any])?["text"] as? String ?? ""
        #expect(text.unicodeScalars.contains { (0x0600...0x06FF).contains($0.value) }, "Arabic script: \(text)")
    }

    @Test func englishEditsStaleTheirTranslationsEverywhereAndRevertingClearsThem() throws {
        let cluster = try Cluster()
        let editor = try cluster.replica("editor")
        let translator = try cluster.replica("translator", role: "translator", language: "fr")
        for replica in [editor, translator] { try cluster.sync(replica) }
        let original = try Self.field("comment", of: Self.unit, in: cluster, replica: editor)

        try expectSuccess(cluster.plansync(editor, "set", Self.unit, "comment", original + " Updated in 2017."))
        for replica in [editor, translator] { try cluster.sync(replica) }
        for language in ["ar", "fr", "es"] {
            #expect(try Self.translation("comment", of: Self.unit, language, in: cluster, replica: translator)["stale"] as? Bool == true)
        }
        let status = try json(cluster.plansync(translator, "translations", "status", "--lang", "fr", "--json").stdout)
            as! [[String: Any]]
        #expect(status.first { $0["plan"] as? String == "iasc-protection-policy" }?["stale"] as? Int == 1)

        // The stale unit comes out of the export for review, with its text.
        let xlf = cluster.directory.file("fr.xlf")
        try expectSuccess(cluster.plansync(translator, "xliff", "export", "--lang", "fr", "--output", xlf))
        let exported = try String(contentsOfFile: xlf, encoding: .utf8)
        let unitXML = try #require(exported.components(separatedBy: "<trans-unit ").first { $0.contains("\"\(Self.unit)#comment\"") })
        #expect(unitXML.contains("state=\"needs-review-translation\""))
        #expect(unitXML.contains("Updated in 2017."))

        try expectSuccess(cluster.plansync(editor, "set", Self.unit, "comment", original))
        for replica in [editor, translator] { try cluster.sync(replica) }
        for language in ["ar", "fr", "es"] {
            #expect(try Self.translation("comment", of: Self.unit, language, in: cluster, replica: translator)["stale"] as? Bool == false)
        }
    }

    @Test(arguments: ["ar", "fr", "es"])
    func everyExportValidatesAgainstTheOASISSchema(language: String) throws {
        let cluster = try Cluster()
        let replica = try cluster.replica("reader", role: "viewer")
        try cluster.sync(replica)
        let xlf = cluster.directory.file("\(language).xlf")
        try expectSuccess(cluster.plansync(replica, "xliff", "export", "--lang", language, "--output", xlf))
        let lint = try runTool("xmllint", ["--noout", "--schema", Self.schema.path, xlf])
        #expect(lint.status == 0, "\(lint)")
        let ids = try String(contentsOfFile: xlf, encoding: .utf8).matches(of: /<trans-unit id="([^"]+)"/).map { String($0.1) }
        #expect(ids.count == 169 + 97, "both plans and the three materials' segments and titles")
        #expect(Set(ids).count == ids.count, "unit ids are unique")
        let onePlan = cluster.directory.file("\(language)-one.xlf")
        try expectSuccess(
            cluster.plansync(replica, "xliff", "export", "--lang", language, "--output", onePlan, "--plan", "iasc-aap-psea-workplan"))
        #expect(try String(contentsOfFile: onePlan, encoding: .utf8).components(separatedBy: "<trans-unit ").count - 1 == 68)
    }

    @Test func aFileEditedByTranslateToolkitImportsExactlyThatChange() throws {
        let cluster = try Cluster()
        let translator = try cluster.replica("traductora", role: "translator", language: "es")
        let reader = try cluster.replica("reader", role: "viewer")
        for replica in [translator, reader] { try cluster.sync(replica) }
        let exported = cluster.directory.file("es.xlf")
        let edited = cluster.directory.file("es-edited.xlf")
        try expectSuccess(cluster.plansync(translator, "xliff", "export", "--lang", "es", "--output", exported))
        let before = try cluster.dump(translator)

        let roundTrip = try runTool(
            "python3",
            [Self.root.appendingPathComponent("Tests/scripts/xliff_roundtrip.py").path, exported, edited,
                "\(Self.unit)#comment", "Por ejemplo, InterAction ampliará su apoyo a las ONG operativas."])
        #expect(roundTrip.status == 0, "translate-toolkit is needed (pip install translate-toolkit): \(roundTrip)")

        let imported = try cluster.plansync(translator, "xliff", "import", edited)
        try expectSuccess(imported)
        #expect(imported.stdout.contains("imported 1 es translation(s)"), "\(imported.stdout)")
        try cluster.sync(translator)
        try cluster.sync(reader)
        let after = try cluster.dump(reader)
        #expect(after != before)
        let changed = try Self.translation("comment", of: Self.unit, "es", in: cluster, replica: reader)
        #expect(changed["text"] as? String == "Por ejemplo, InterAction ampliará su apoyo a las ONG operativas.")
        #expect(changed["stale"] as? Bool == false)
        // Exactly that change: every other record and translation is as it was.
        #expect(Self.withoutRecord(Self.unit, after) == Self.withoutRecord(Self.unit, before))
        // Importing the same file again is not an edit.
        #expect(try cluster.plansync(translator, "xliff", "import", edited).stdout.contains("imported 0 es"))
    }

    @Test func malformedOrForeignFilesImportNothing() throws {
        let cluster = try Cluster()
        let translator = try cluster.replica("t", role: "translator", language: "fr")
        try cluster.sync(translator)
        let before = try cluster.dump(translator)
        let good = cluster.directory.file("fr.xlf")
        try expectSuccess(cluster.plansync(translator, "xliff", "export", "--lang", "fr", "--output", good))
        var xml = try String(contentsOfFile: good, encoding: .utf8)
        // One real change, then a unit of a record this replica does not have: the whole file is refused.
        xml = xml.replacingOccurrences(of: "</body>\n  </file>\n</xliff>", with: """
                  <trans-unit id="other-plan/A.1#title"><source>x</source><target>y</target></trans-unit>
                </body>
              </file>
            </xliff>
            """)
        let foreign = cluster.directory.file("foreign.xlf")
        try xml.write(toFile: foreign, atomically: true, encoding: .utf8)
        let malformed = cluster.directory.file("broken.xlf")
        try String(xml.prefix(2_000)).write(toFile: malformed, atomically: true, encoding: .utf8)
        let spanish = cluster.directory.file("es.xlf")
        try String(contentsOfFile: good, encoding: .utf8)
            .replacingOccurrences(of: "target-language=\"fr\"", with: "target-language=\"es\"")
            .replacingOccurrences(of: ">Provide key stakeholders", with: ">Proporcionar")
            .write(toFile: spanish, atomically: true, encoding: .utf8)
        for (file, message) in [(foreign, "no record 'other-plan/A.1'"), (malformed, "not well-formed"),
            (cluster.directory.file("missing.xlf"), "cannot read")]
        {
            let result = try cluster.plansync(translator, "xliff", "import", file)
            #expect(result.status != 0)
            #expect(result.stderr.contains(message), "\(result.stderr)")
            #expect(result.stderr.trimmingCharacters(in: .newlines).split(separator: "\n").count == 1)
        }
        let wrongLanguage = try cluster.plansync(translator, "xliff", "import", spanish)
        #expect(wrongLanguage.status != 0 && wrongLanguage.stderr.contains("refused"), "a fr translator cannot import es")
        #expect(try cluster.dump(translator) == before)
        #expect(try cluster.plansync(translator, "status").stdout.contains("queued records: 0"))
    }

    @Test func qualityChecksNameTheRecordFieldAndCheck() throws {
        let cluster = try Cluster()
        let translator = try cluster.replica("t", role: "translator", language: "ar")
        try cluster.sync(translator)
        try expectSuccess(
            cluster.plansync(translator, "translate", "iasc-protection-policy/D.2/1", "time_frame", "--lang", "ar", "كانون الثاني/يناير 2018?"))
        let findings = try json(cluster.plansync(translator, "translations", "check", "--lang", "ar", "--json").stdout)
            as! [[String: Any]]
        let mine = findings.filter { $0["record"] as? String == "iasc-protection-policy/D.2/1" && $0["field"] as? String == "time_frame" }
        let checks = Set(mine.compactMap { $0["check"] as? String })
        #expect(checks.contains("numbers"), "\(mine)")
        #expect(checks.contains("end-punctuation"), "\(mine)")
    }

    // MARK: - Helpers

    static func field(_ name: String, of id: String, in cluster: Cluster, replica: String) throws -> String {
        let record = try WalkthroughTests.record(id, in: cluster.dump(replica))
        return try #require((record["fields"] as! [String: Any])[name] as? String)
    }

    static func translation(_ field: String, of id: String, _ language: String, in cluster: Cluster, replica: String) throws
        -> [String: Any]
    {
        let record = try WalkthroughTests.record(id, in: cluster.dump(replica))
        let translations = record["translations"] as! [String: [String: [String: Any]]]
        return try #require(translations[language]?[field])
    }

    static func withoutRecord(_ id: String, _ dump: String) -> String {
        let records = (try? json(dump) as? [String: Any])?["records"] as? [[String: Any]] ?? []
        let rest = records.filter { $0["id"] as? String != id }
        return String(decoding: (try? JSONSerialization.data(withJSONObject: rest, options: [.sortedKeys])) ?? Data(), as: UTF8.self)
    }
}
