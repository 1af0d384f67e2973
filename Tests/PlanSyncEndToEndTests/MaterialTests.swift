import Foundation
import PlanSyncTestSupport
import Testing

/// Supporting materials with the real binaries: stored segment by segment, translated by two translators
/// offline, staled per segment by an English edit, re-imported from a new Markdown version, exported.
@Suite("Translated materials", .serialized)
struct MaterialTests {
    static let faq = "protection-policy-faq"

    /// A material's segments as `material show --json` prints them.
    static func segments(_ id: String, _ language: String?, in cluster: Cluster, replica: String) throws -> [[String: Any]] {
        var arguments = ["material", "show", id, "--json"]
        if let language { arguments += ["--lang", language] }
        let result = try cluster.plansync(replica, arguments: arguments)
        try expectSuccess(result)
        return try #require((try json(result.stdout) as? [String: Any])?["segments"] as? [[String: Any]])
    }

    @Test func theBundledMaterialsArriveTranslatedInEveryLanguage() throws {
        let cluster = try Cluster()
        let reader = try cluster.replica("reader", role: "viewer")
        try cluster.sync(reader)
        let list = try cluster.plansync(reader, "material", "list")
        try expectSuccess(list)
        for id in [Self.faq, "hc-hct-key-messages", "aap-psea-helpdesk-note"] { #expect(list.stdout.contains(id)) }
        for language in ["ar", "fr", "es"] {
            let segments = try Self.segments(Self.faq, language, in: cluster, replica: reader)
            #expect(segments.count > 40)
            #expect(segments.allSatisfy { $0["fallback"] as? Bool == false && $0["stale"] as? Bool == false })
        }
        let dump = try #require((try json(cluster.dump(reader)) as? [String: Any])?["records"] as? [[String: Any]])
        #expect(dump.contains { $0["collection"] as? String == "material" && $0["id"] as? String == Self.faq })
        #expect(dump.filter { $0["collection"] as? String == "segment" && ($0["id"] as? String)?.hasPrefix(Self.faq + "/s/") == true }.count > 40)
    }

    /// A data folder made before the materials existed (simulated by removing their rows) gains them when the
    /// server starts again, and a replica of it pulls them; a bundled record a folder already holds is kept.
    @Test func anExistingDataFolderGainsTheBundledMaterialsOnStart() throws {
        let cluster = try Cluster()
        let editor = try cluster.replica("editor")
        try expectSuccess(cluster.plansync(editor, "sync"))
        try expectSuccess(cluster.plansync(editor, "set", "iasc-protection-policy/A.1", "comment", "Kept across the upgrade."))
        try cluster.sync(editor)
        cluster.server.stop()
        let database = cluster.server.data + "/plansync.sqlite"
        let removed = try runTool("sqlite3", [database, "DELETE FROM record WHERE collection IN ('material', 'segment'); SELECT changes();"])
        #expect(Int(removed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 > 90, "\(removed)")

        let restarted = try ServerProcess.start(data: cluster.server.data, port: cluster.server.port)
        defer { restarted.stop() }
        let reader = cluster.directory.file("reader.sqlite")
        try expectSuccess(run("plansync", [
            "init", "--replica", reader, "--server", restarted.url, "--token", try restarted.token(name: "reader", role: "viewer"),
        ]))
        try expectSuccess(cluster.plansync(reader, "sync"))
        #expect(try Self.segments(Self.faq, "ar", in: cluster, replica: reader).allSatisfy { $0["fallback"] as? Bool == false })
        #expect(try cluster.plansync(reader, "show", "iasc-protection-policy/A.1").stdout.contains("Kept across the upgrade."))
    }

    @Test func twoTranslatorsOfflineOnDifferentParagraphsDoNotConflict() throws {
        let cluster = try Cluster()
        let first = try cluster.replica("traductrice-1", role: "translator", language: "fr")
        let second = try cluster.replica("traductrice-2", role: "translator", language: "fr")
        for replica in [first, second] { try cluster.sync(replica) }
        let segments = try Self.segments(Self.faq, "fr", in: cluster, replica: first)
        let a = try #require(segments[1]["id"] as? String)
        let b = try #require(segments[3]["id"] as? String)
        try expectSuccess(cluster.plansync(first, "translate", a, "text", "--lang", "fr", "Paragraphe revu par la première."))
        try expectSuccess(cluster.plansync(second, "translate", b, "text", "--lang", "fr", "Paragraphe revu par la seconde."))
        for replica in [first, second, first] { try cluster.sync(replica) }

        #expect(try cluster.plansync(first, "conflicts").stdout.contains("no conflicts"))
        #expect(try cluster.dump(first) == (try cluster.dump(second)))
        let after = try Self.segments(Self.faq, "fr", in: cluster, replica: second)
        #expect(after[1]["text"] as? String == "Paragraphe revu par la première.")
        #expect(after[3]["text"] as? String == "Paragraphe revu par la seconde.")
    }

    @Test func anEnglishEditStalesExactlyThatParagraphsTranslationsEverywhere() throws {
        let cluster = try Cluster()
        let editor = try cluster.replica("editor")
        let translator = try cluster.replica("translator", role: "translator", language: "ar")
        for replica in [editor, translator] { try cluster.sync(replica) }
        let segments = try Self.segments(Self.faq, nil, in: cluster, replica: editor)
        let target = try #require(segments[5]["id"] as? String)
        let english = try #require(segments[5]["text"] as? String)
        try expectSuccess(cluster.plansync(editor, "set", target, "text", english + " It is reviewed every year."))
        for replica in [editor, translator] { try cluster.sync(replica) }

        for replica in [editor, translator] {
            for language in ["ar", "fr", "es"] {
                let shown = try Self.segments(Self.faq, language, in: cluster, replica: replica)
                let stale = shown.filter { $0["stale"] as? Bool == true }.compactMap { $0["id"] as? String }
                #expect(stale == [target], "\(language) on \(replica)")
            }
        }
        let markdown = try cluster.plansync(translator, "material", "show", Self.faq, "--lang", "fr").stdout
        #expect(markdown.contains("[à revoir]"))
    }

    @Test func reimportingALightlyEditedFileKeepsTheUntouchedTranslations() throws {
        let cluster = try Cluster()
        let editor = try cluster.replica("editor")
        try cluster.sync(editor)
        let exported = cluster.directory.file("faq.md")
        try expectSuccess(cluster.plansync(editor, "material", "export", Self.faq, "--lang", "en", "--format", "md", "--output", exported))
        let original = try String(contentsOfFile: exported, encoding: .utf8)
        var paragraphs = original.components(separatedBy: "\n\n")
        let english = try Self.segments(Self.faq, nil, in: cluster, replica: editor)
        let block = try #require(paragraphs.indices.first { $0 > 2 && !"#-|".contains(paragraphs[$0].first!) })
        let edited = try #require(english.firstIndex { $0["text"] as? String == paragraphs[block] })
        paragraphs[block] += " This sentence is new."
        paragraphs.insert("## A new question?\n\nA new answer.", at: 8)
        paragraphs.remove(at: paragraphs.count - 1)
        try (paragraphs.joined(separator: "\n\n") + "\n").write(toFile: exported, atomically: true, encoding: .utf8)

        let before = try Self.segments(Self.faq, "es", in: cluster, replica: editor)
        let update = try cluster.plansync(editor, "material", "update", Self.faq, "--file", exported)
        try expectSuccess(update)
        #expect(update.stdout.contains("1 edited") && update.stdout.contains("2 new") && update.stdout.contains("1 removed"), "\(update.stdout)")
        try cluster.sync(editor)

        let fresh = try cluster.replica("reader", role: "viewer")
        try cluster.sync(fresh)
        let after = try Self.segments(Self.faq, "es", in: cluster, replica: fresh)
        #expect(after.count == before.count + 1)
        let byID = Dictionary(uniqueKeysWithValues: after.map { ($0["id"] as! String, $0) })
        for (index, segment) in before.enumerated() where index != before.count - 1 {
            let id = segment["id"] as! String
            let now = try #require(byID[id], "\(id) lost its id")
            if index == edited {
                #expect(now["stale"] as? Bool == true && now["text"] as? String == segment["text"] as? String)
            } else {
                #expect(now["stale"] as? Bool == false && now["text"] as? String == segment["text"] as? String, "\(id)")
            }
        }
        #expect(after.filter { $0["fallback"] as? Bool == true }.count == 2, "the new heading and answer are in English")
        #expect(try cluster.plansync(fresh, "material", "export", Self.faq, "--lang", "en", "--format", "md", "--output", exported).status == 0)
        #expect(try String(contentsOfFile: exported, encoding: .utf8) == paragraphs.joined(separator: "\n\n") + "\n")
    }

    @Test func paragraphsInsertedConcurrentlyInTwoPlacesBothSurviveInOneOrder() throws {
        let cluster = try Cluster()
        let amman = try cluster.replica("amman")
        let dakar = try cluster.replica("dakar")
        let source = cluster.directory.file("note.md")
        try "# Note\n\nFirst paragraph.\n\nSecond paragraph.\n\nThird paragraph.\n".write(toFile: source, atomically: true, encoding: .utf8)
        try cluster.sync(amman)
        let added = try cluster.plansync(amman, "material", "add", "--file", source, "--title", "Note", "--kind", "briefing",
            "--activity", "iasc-protection-policy/A.1")
        try expectSuccess(added)
        let id = try #require(added.stdout.firstMatch(of: /added material (\S+)/)?.1).description
        for replica in [amman, dakar] { try cluster.sync(replica) }

        let fromAmman = cluster.directory.file("amman.md")
        try "# Note\n\nFirst paragraph.\n\nAmman's paragraph.\n\nSecond paragraph.\n\nThird paragraph.\n".write(toFile: fromAmman, atomically: true, encoding: .utf8)
        let fromDakar = cluster.directory.file("dakar.md")
        try "# Note\n\nFirst paragraph.\n\nSecond paragraph.\n\nThird paragraph.\n\nDakar's paragraph.\n".write(toFile: fromDakar, atomically: true, encoding: .utf8)
        try expectSuccess(cluster.plansync(amman, "material", "update", id, "--file", fromAmman))
        try expectSuccess(cluster.plansync(dakar, "material", "update", id, "--file", fromDakar))
        for replica in [amman, dakar, amman] { try cluster.sync(replica) }

        let expected = "# Note\n\nFirst paragraph.\n\nAmman's paragraph.\n\nSecond paragraph.\n\nThird paragraph.\n\nDakar's paragraph.\n"
        for replica in [amman, dakar] {
            #expect(try cluster.plansync(replica, "material", "show", id).stdout == expected)
        }
    }

    @Test func exportsAndBadInput() throws {
        let cluster = try Cluster()
        let editor = try cluster.replica("editor")
        try cluster.sync(editor)
        let html = cluster.directory.file("faq-ar.html")
        try expectSuccess(cluster.plansync(editor, "material", "export", Self.faq, "--lang", "ar", "--format", "html", "--output", html))
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.contains("dir=\"rtl\"") && page.contains("lang=\"ar\""))
        #expect(!page.contains("<script") && !page.contains("http://") && !page.contains("https://"), "self-contained")

        let before = try cluster.dump(editor)
        let bad = cluster.directory.file("bad.md")
        try "# Title\n\n```\ncode\n```\n".write(toFile: bad, atomically: true, encoding: .utf8)
        for arguments in [
            ["material", "update", Self.faq, "--file", bad],
            ["material", "add", "--file", bad, "--title", "T", "--kind", "faq"],
            ["material", "add", "--file", html, "--title", "T", "--kind", "poster"],
            ["material", "update", "no-such-material", "--file", bad],
            ["material", "add", "--file", cluster.directory.file("missing.md"), "--title", "T", "--kind", "faq"],
        ] {
            let result = try cluster.plansync(editor, arguments: arguments)
            #expect(result.status == (arguments.contains { $0.hasSuffix("missing.md") } ? 66 : 65), "\(arguments)")
            #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.hasPrefix("plansync: "), "\(result.stderr)")
        }
        let german = try cluster.plansync(editor, arguments: ["material", "export", Self.faq, "--lang", "de", "--format", "md", "--output", bad])
        #expect(german.status != 0 && german.stderr.contains("--lang must be one of"))
        #expect(try cluster.dump(editor) == before, "a refused command changed the replica")
        #expect(try String(contentsOfFile: bad, encoding: .utf8).hasPrefix("# Title"), "a refused export wrote its file")
    }

    @Test func xliffCarriesOneUnitPerSegmentAndChecksItsMarkdown() throws {
        let cluster = try Cluster()
        let translator = try cluster.replica("translator", role: "translator", language: "fr")
        try cluster.sync(translator)
        let xlf = cluster.directory.file("faq-fr.xlf")
        try expectSuccess(cluster.plansync(translator, "xliff", "export", "--lang", "fr", "--plan", Self.faq, "--output", xlf))
        let lint = try runTool("xmllint", ["--noout", "--schema", TranslationWorkflowTests.schema.path, xlf])
        #expect(lint.status == 0, "\(lint)")
        let ids = try String(contentsOfFile: xlf, encoding: .utf8).matches(of: /<trans-unit id="([^"]+)"/).map { String($0.1) }
        let segments = try Self.segments(Self.faq, nil, in: cluster, replica: translator)
        #expect(Set(ids) == Set(segments.map { "\($0["id"] as! String)#text" } + ["\(Self.faq)#title"]))

        // A translation that loses the source's bold is a placeholder finding.
        let bold = try #require(segments.first { ($0["text"] as? String)?.contains("**") == true })
        let id = bold["id"] as! String
        try expectSuccess(cluster.plansync(translator, "translate", id, "text", "--lang", "fr", "Un texte sans gras."))
        let findings = try cluster.plansync(translator, "translations", "check", "--lang", "fr").stdout
        #expect(findings.contains("\(id) text [placeholders]"), "\(findings)")
    }
}

extension Cluster {
    /// `plansync ARGS --replica PATH`, with the arguments as an array.
    func plansync(_ replica: String, arguments: [String]) throws -> CommandResult {
        try run("plansync", arguments + ["--replica", replica])
    }
}
