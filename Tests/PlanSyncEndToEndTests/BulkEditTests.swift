import Foundation
import PlanSyncTestSupport
import Testing

/// Bulk edits a person can check first, with the real binaries: an English file is refused as a translation,
/// and `--dry-run` prints what would change and changes nothing.
@Suite("Safe bulk edits", .serialized)
struct BulkEditTests {
    static let faq = MaterialTests.faq

    @Test func anXliffFileOfTheEnglishIsRefusedUnlessForcedAndADryRunChangesNothing() throws {
        let cluster = try Cluster()
        let translator = try cluster.replica("amina", role: "translator", language: "fr")
        try cluster.sync(translator)
        let xlf = cluster.directory.file("fr.xlf")
        try expectSuccess(
            cluster.plansync(
                translator, "xliff", "export", "--lang", "fr", "--output", xlf, "--plan", "iasc-aap-psea-workplan"))
        // Every target replaced by its source: the English sent back as French.
        let exported = try String(contentsOfFile: xlf, encoding: .utf8)
        let english = exported.replacing(/<target([^>]*)>(?s:.*?)<\/target>/) { _ in "" }
            .replacing(/<source>((?s:.*?))<\/source>/) { "<source>\($0.1)</source><target>\($0.1)</target>" }
        let copy = cluster.directory.file("fr-english.xlf")
        try english.write(toFile: copy, atomically: true, encoding: .utf8)
        let before = try cluster.dump(translator)

        let refused = try cluster.plansync(translator, "xliff", "import", copy)
        #expect(refused.status != 0 && refused.stderr.contains("is the English itself"), "\(refused)")
        #expect(refused.stderr.split(separator: "\n").count == 1, "one line: \(refused.stderr)")
        let dry = try cluster.plansync(translator, "xliff", "import", copy, "--force", "--dry-run")
        try expectSuccess(dry)
        #expect(dry.stdout.contains("would change 68 fr translation(s); nothing was changed"), "\(dry)")
        #expect(try cluster.dump(translator) == before)
        #expect(try cluster.plansync(translator, "status").stdout.contains("queued records: 0"))

        let forced = try cluster.plansync(translator, "xliff", "import", copy, "--force")
        try expectSuccess(forced)
        #expect(forced.stdout.contains("changing 68 fr translation(s)"), "\(forced)")
        #expect(try cluster.dump(translator) != before)
    }

    @Test func aMaterialTranslationThatIsTheEnglishIsRefused() throws {
        let cluster = try Cluster()
        let translator = try cluster.replica("amina", role: "translator", language: "ar")
        try cluster.sync(translator)
        let english = cluster.directory.file("faq.md")
        try expectSuccess(
            cluster.plansync(
                translator, "material", "export", Self.faq, "--lang", "en", "--format", "md", "--output", english))
        let before = try cluster.dump(translator)
        let refused = try cluster.plansync(
            translator, "material", "translate", Self.faq, "--lang", "ar", "--file", english)
        #expect(refused.status != 0 && refused.stderr.contains("is the English itself"), "\(refused)")
        #expect(try cluster.dump(translator) == before)
    }

    @Test func dryRunsOfMaterialUpdateAndPlanImportChangeNothing() throws {
        let cluster = try Cluster()
        let editor = try cluster.replica("editor")
        try cluster.sync(editor)
        let exported = cluster.directory.file("faq.md")
        try expectSuccess(
            cluster.plansync(
                editor, "material", "export", Self.faq, "--lang", "en", "--format", "md", "--output", exported))
        let text = try String(contentsOfFile: exported, encoding: .utf8)
        try (text + "\n## A new question?\n\nA new answer.\n").write(
            toFile: exported, atomically: true, encoding: .utf8)
        let before = try cluster.dump(editor)

        let update = try cluster.plansync(editor, "material", "update", Self.faq, "--file", exported, "--dry-run")
        try expectSuccess(update)
        #expect(update.stdout.contains("would update \(Self.faq):") && update.stdout.contains("2 new"), "\(update)")
        let plan = try cluster.plansync(
            editor, "plan", "import", "--csv", PlanImportTests.example, "--plan", "cash-coordination", "--title",
            "Cash",
            "--dry-run")
        try expectSuccess(plan)
        #expect(plan.stdout.contains("would import cash-coordination: 2 sections"), "\(plan)")
        #expect(try cluster.dump(editor) == before)
        #expect(try cluster.plansync(editor, "status").stdout.contains("queued records: 0"))
    }
}
