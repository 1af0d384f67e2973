import Foundation
import PlanSyncTestSupport
import Testing

/// Translators' memory and terminology with the real binaries: a TMX 1.4b memory that translate-toolkit reads
/// and OmegaT (Debian's, in console mode) loads and fills a segment from; the glossary beside the XLIFF in the
/// form OmegaT reads; the glossary check; and plans from semicolon-separated CSV.
@Suite("Translation memory and terminology", .serialized)
struct TranslationMemoryTests {
    static let unit = "iasc-protection-policy/C.3/1"
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func theMemoryHoldsWhatATranslatorStandsByAndOmegaTFillsASegmentFromIt() throws {
        let cluster = try Cluster()
        let editor = try cluster.replica("editor")
        let translator = try cluster.replica("translator", role: "translator", language: "fr")
        for replica in [editor, translator] { try cluster.sync(replica) }
        // One translation made stale by an English edit, one a draft: neither belongs in a memory.
        try expectSuccess(cluster.plansync(editor, "set", Self.unit, "comment", "A comment rewritten in English."))
        try expectSuccess(
            cluster.plansync(
                translator, "translate", "iasc-protection-policy/A.1", "title", "--lang", "fr", "Ébauche",
                "--status", "draft"))
        for replica in [editor, translator] { try cluster.sync(replica) }

        let tmx = cluster.directory.file("fr.tmx")
        let result = try cluster.plansync(translator, "translations", "tmx", "--lang", "fr", "--output", tmx)
        try expectSuccess(result)
        let written = try #require(Int(result.stdout.split(separator: " ")[1]), "\(result)")
        #expect(try runTool("xmllint", ["--noout", tmx]).status == 0)

        // translate-toolkit, an independent reader, finds the same units, English to French.
        let read = try runTool(
            "python3",
            [
                "-c",
                """
                import json, sys
                from translate.storage import tmx
                store = tmx.tmxfile.parsefile(sys.argv[1])
                units = [u for u in store.units if not u.isheader()]
                print(json.dumps({"count": len(units), "pairs": {u.getid(): [u.source, u.target] for u in units}}))
                """,
                tmx,
            ])
        #expect(read.status == 0, "\(read)")
        let memory = try json(read.stdout) as! [String: Any]
        let pairs = memory["pairs"] as! [String: [String]]
        #expect(memory["count"] as? Int == written && written > 200, "\(memory["count"] ?? "none") of \(written)")
        #expect(pairs["\(Self.unit)#comment"] == nil, "a stale translation stays out")
        #expect(pairs["iasc-protection-policy/A.1#title"] == nil, "a draft stays out")
        let title = try #require(pairs["iasc-aap-psea-workplan/1.1#title"], "\(pairs.keys.sorted().prefix(5))")
        #expect(title[0] == "Provision of remote technical support" && !title[1].isEmpty && title[1] != title[0])

        // OmegaT: the memory in the project's tm/auto folder fills the segment it matches.
        let project = cluster.directory.file("omegat")
        for folder in ["source", "target", "tm/auto", "glossary", "omegat"] {
            try FileManager.default.createDirectory(atPath: project + "/" + folder, withIntermediateDirectories: true)
        }
        try FileManager.default.copyItem(atPath: tmx, toPath: project + "/tm/auto/fr.tmx")
        try "\(title[0])\n\nA sentence no memory holds.\n".write(
            toFile: project + "/source/unit.txt", atomically: true, encoding: .utf8)
        try Self.omegaTProject.write(toFile: project + "/omegat.project", atomically: true, encoding: .utf8)
        let omegat = try runTool("timeout", ["300", "omegat", project, "--mode=console-translate"])
        #expect(omegat.status == 0, "OmegaT (Debian's omegat, needed by this test): \(omegat)")
        let translated = try String(contentsOfFile: project + "/target/unit.txt", encoding: .utf8)
        #expect(translated == "\(title[1])\n\nA sentence no memory holds.\n", "\(translated)")
    }

    @Test func theGlossaryGoesBesideTheXliffAndTheCheckFlagsATermNotUsed() throws {
        let cluster = try Cluster()
        let translator = try cluster.replica("translator", role: "translator", language: "fr")
        try cluster.sync(translator)
        #expect(try cluster.plansync(translator, "translations", "check", "--lang", "fr").stdout.hasPrefix("0 finding"))

        let xlf = cluster.directory.file("work/fr.xlf")
        try FileManager.default.createDirectory(
            atPath: cluster.directory.file("work"), withIntermediateDirectories: true)
        let export = try cluster.plansync(translator, "xliff", "export", "--lang", "fr", "--output", xlf)
        try expectSuccess(export)
        let glossaryFile = cluster.directory.file("work/fr.glossary.txt")
        #expect(export.stdout.contains("glossary term(s) to \(glossaryFile)"), "\(export)")
        // OmegaT's form: UTF-8, one row per term, source, tab, target, tab, comment, no header row.
        let rows = try String(contentsOfFile: glossaryFile, encoding: .utf8).split(separator: "\n")
        #expect(
            rows.count > 70
                && rows.allSatisfy { $0.split(separator: "\t", omittingEmptySubsequences: false).count == 3 })
        #expect(!rows.contains { $0.hasPrefix("en\t") }, "no header row")
        #expect(rows.contains("HC\tCH\tacronyme invariable au pluriel (les CH)"), "variants paired")

        // A translation of a term that does not use the agreed French one is flagged, naming both.
        let record = "iasc-protection-policy/A.1/1"
        let english = try json(cluster.plansync(translator, "show", record, "--json").stdout) as! [String: Any]
        let title = (english["fields"] as! [[String: Any]]).first { $0["name"] as? String == "title" }?["value"]
        try #require((title as? String)?.contains("IASC") == true, "\(title ?? "")")
        try expectSuccess(
            cluster.plansync(translator, "translate", record, "title", "--lang", "fr", "Promouvoir la politique du CPI")
        )
        let check = try cluster.plansync(translator, "translations", "check", "--lang", "fr")
        #expect(check.stdout.contains("\(record) title [glossary]") && check.stdout.contains("“IASC”"), "\(check)")

        // Another glossary, given by hand; a bad one is refused in one line, and nothing changes.
        let own = cluster.directory.file("own.tsv")
        try "en\tfr\tnote\nIASC\tCPI\tsigle français\n".write(toFile: own, atomically: true, encoding: .utf8)
        let withOwn = try cluster.plansync(translator, "translations", "check", "--lang", "fr", "--glossary", own)
        #expect(!withOwn.stdout.contains("[glossary]"), "\(withOwn)")
        let bad = cluster.directory.file("bad.tsv")
        try "en\tfr\nIASC\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let refused = try cluster.plansync(translator, "translations", "check", "--lang", "fr", "--glossary", bad)
        #expect(
            refused.status == 65
                && refused.stderr == "plansync: \(bad): glossary line 2: expected the English "
                    + "term, a tab and its translation\n",
            "\(refused)")
        let missing = try cluster.plansync(
            translator, "translations", "check", "--lang", "fr", "--glossary", cluster.directory.file("none.tsv"))
        #expect(missing.status == 66 && missing.stderr.split(separator: "\n").count == 1, "\(missing)")
    }

    @Test func aPlanSavedBySemicolonExcelImportsAsTheSamePlan() throws {
        let cluster = try Cluster()
        let admin = try cluster.replica("admin")
        let example = Self.root.appendingPathComponent("docs/examples/plan-example.csv").path
        let csv = try String(contentsOfFile: example, encoding: .utf8)
        // As French Excel writes it: a byte order mark, semicolons, and commas inside cells left as they are.
        let semicolons = cluster.directory.file("plan-fr.csv")
        let rows = try runTool(
            "python3",
            [
                "-c",
                """
                import csv, sys
                rows = list(csv.reader(open(sys.argv[1], encoding="utf-8")))
                with open(sys.argv[2], "w", encoding="utf-8-sig", newline="") as out:
                    csv.writer(out, delimiter=";").writerows(rows)
                """,
                example, semicolons,
            ])
        #expect(rows.status == 0, "\(rows)")
        #expect(try String(contentsOfFile: semicolons, encoding: .utf8) != csv)
        let comma = try cluster.plansync(
            admin, "plan", "import", "--csv", example, "--plan", "plan-comma", "--title", "T", "--dry-run")
        let semicolon = try cluster.plansync(
            admin, "plan", "import", "--csv", semicolons, "--plan", "plan-comma", "--title", "T", "--dry-run")
        try expectSuccess(comma)
        #expect(semicolon.stdout == comma.stdout, "detected: \(semicolon)")
        let named = try cluster.plansync(
            admin, "plan", "import", "--csv", semicolons, "--plan", "plan-comma", "--title", "T", "--dry-run",
            "--delimiter", ";")
        #expect(named.stdout == comma.stdout, "\(named)")
        // Told the wrong separator, the file is refused whole; an unknown one is a usage error.
        let wrong = try cluster.plansync(
            admin, "plan", "import", "--csv", semicolons, "--plan", "plan-x", "--title", "T", "--delimiter", "comma")
        #expect(wrong.status == 65 && wrong.stderr.contains("no header row"), "\(wrong)")
        let unknown = try cluster.plansync(
            admin, "plan", "import", "--csv", semicolons, "--plan", "plan-x", "--title", "T", "--delimiter", "pipe")
        #expect(unknown.status == 64 && unknown.stderr.contains("expected comma, semicolon or tab"), "\(unknown)")
        #expect(try cluster.plansync(admin, "status").stdout.contains("queued records: 0"))
    }

    static let omegaTProject = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <omegat>
          <project version="1.0">
            <source_dir>source</source_dir>
            <source_dir_excludes/>
            <target_dir>target</target_dir>
            <tm_dir>tm</tm_dir>
            <glossary_dir>glossary</glossary_dir>
            <glossary_file>glossary/glossary.txt</glossary_file>
            <dictionary_dir>dictionary</dictionary_dir>
            <source_lang>EN</source_lang>
            <target_lang>FR</target_lang>
            <source_tok>org.omegat.tokenizer.LuceneEnglishTokenizer</source_tok>
            <target_tok>org.omegat.tokenizer.LuceneFrenchTokenizer</target_tok>
            <sentence_seg>false</sentence_seg>
            <support_default_translations>true</support_default_translations>
            <remove_tags>false</remove_tags>
          </project>
        </omegat>
        """
}
