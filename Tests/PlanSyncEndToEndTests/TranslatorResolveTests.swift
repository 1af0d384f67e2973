import Foundation
import PlanSyncTestSupport
import Testing

/// Translators settling their own language, and English translations of narratives written in another
/// language, with the real binaries.
@Suite("Translator resolutions and English narratives", .serialized)
struct TranslatorResolveTests {
    static let unit = DiscardTests.unit

    static func translation(_ id: String, _ language: String, in dump: String) throws -> [String: Any]? {
        let record = try WalkthroughTests.record(id, in: dump)
        return ((record["translations"] as? [String: Any])?[language] as? [String: Any])?["comment"] as? [String: Any]
    }

    @Test func aTranslatorSettlesConcurrentTranslationsOfTheirLanguage() throws {
        let cluster = try Cluster()
        let one = try cluster.replica("t1", role: "translator", language: "fr")
        let two = try cluster.replica("t2", role: "translator", language: "fr")
        for replica in [one, two] { try cluster.sync(replica) }
        try expectSuccess(cluster.plansync(one, "translate", Self.unit, "comment", "--lang", "fr", "Première"))
        try expectSuccess(cluster.plansync(two, "translate", Self.unit, "comment", "--lang", "fr", "Seconde"))
        for replica in [one, two, one] { try cluster.sync(replica) }
        #expect(try cluster.plansync(one, "conflicts").stdout.contains(Self.unit))

        // The field itself stays out of a translator's reach; its translation does not.
        let field = try cluster.plansync(one, "resolve", Self.unit, "comment", "Texte")
        #expect(field.status != 0, "\(field)")
        try expectSuccess(cluster.plansync(one, "resolve", Self.unit, "comment", "--lang", "fr", "Texte convenu"))
        for replica in [one, two] { try cluster.sync(replica) }
        #expect(try cluster.dump(one) == cluster.dump(two))
        let shown = try #require(try Self.translation(Self.unit, "fr", in: cluster.dump(two)))
        #expect(shown["text"] as? String == "Texte convenu")
        #expect(!(try cluster.plansync(two, "conflicts").stdout.contains(Self.unit)))

        let history = try json(cluster.plansync(two, "history", Self.unit, "--json").stdout)
        let resolution =
            HistoryTests.writes("comment", language: "fr", in: history).first?["resolution"] as? [String: Any]
        #expect(resolution?["by"] as? String == "t1")
        #expect(Set(resolution?["superseded"] as? [String] ?? []) == ["Première", "Seconde"])
    }

    @Test func theFurtherReviewedTranslationIsShownBeforeTheLater() throws {
        let cluster = try Cluster()
        let one = try cluster.replica("t1", role: "translator", language: "es")
        let two = try cluster.replica("t2", role: "translator", language: "es")
        for replica in [one, two] { try cluster.sync(replica) }
        try expectSuccess(
            cluster.plansync(one, "translate", Self.unit, "comment", "--lang", "es", "Aprobada", "--status", "approved")
        )
        try expectSuccess(
            cluster.plansync(two, "translate", Self.unit, "comment", "--lang", "es", "Borrador", "--status", "draft"))
        for replica in [one, two, one] { try cluster.sync(replica) }
        for replica in [one, two] {
            let shown = try #require(try Self.translation(Self.unit, "es", in: cluster.dump(replica)))
            #expect(shown["text"] as? String == "Aprobada" && shown["status"] as? String == "approved")
        }
    }

    @Test func anArabicNarrativeTranslatedIntoEnglishShowsInTheEnglishReport() throws {
        let cluster = try Cluster()
        let central = try cluster.replica("central")
        let erbil = try cluster.replica("erbil", role: "office", office: "IRQ")
        for replica in [central, erbil] { try cluster.sync(replica) }
        let activity = ReportTests.activity
        try expectSuccess(
            cluster.plansync(
                erbil, "report", "add", "--activity", activity, "--office", "IRQ", "--period", "2017-Q1",
                "--status", "delayed", "--text", "تأجلت الجلسات", "--lang", "ar"))
        for replica in [erbil, central] { try cluster.sync(replica) }
        let id = "\(activity)/report/IRQ/2017-Q1"

        // English is the source of plan text: it has no English translation.
        let english = try cluster.plansync(central, "translate", Self.unit, "comment", "--lang", "en", "Text")
        #expect(english.status != 0 && english.stderr.contains("written in English"), "\(english)")
        for (language, text) in [("en", "Sessions postponed"), ("fr", "Séances reportées")] {
            try expectSuccess(cluster.plansync(central, "translate", id, "narrative", "--lang", language, text))
        }
        for replica in [central, erbil] { try cluster.sync(replica) }

        for (language, text) in [("en", "Sessions postponed"), ("fr", "Séances reportées")] {
            let output = cluster.directory.file("q1-\(language).md")
            try expectSuccess(
                cluster.plansync(
                    central, "report", "build", "--plan", "iasc-protection-policy", "--period", "2017-Q1", "--format",
                    "md",
                    "--output", output, "--lang", language))
            let markdown = try String(contentsOfFile: output, encoding: .utf8)
            #expect(markdown.contains(text), "\(language): \(markdown)")
            #expect(markdown.contains("تأجلت الجلسات"), "the original stays beside it")
        }
    }
}
