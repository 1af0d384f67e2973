import PlanSyncTranslation
import Testing

/// The glossary check: which terms of the English it looks for, and which forms of the agreed translation it
/// takes as used.
@Suite("Glossary check")
struct GlossaryTests {
    static func problem(_ tsv: String, _ language: String, source: String, target: String) throws -> String? {
        let glossary = try Glossary(tsv: "en\t\(language)\tnote\n" + tsv, language: language)
        return QualityChecker.check(source: source, target: target, language: language, glossary: glossary)
            .first { $0.check == .glossary }?.message
    }

    @Test func aTermIsLookedForAsAWholeWordAndTheLongestTermWins() throws {
        let tsv = "IASC\tIASC\t\nIASC WG\tGroupe de travail de l'IASC\t\ncluster\tcluster\t\n"
        #expect(
            try Self.problem(tsv, "fr", source: "The IASC WG met.", target: "Le groupe de travail de l'IASC.") == nil)
        #expect(
            try Self.problem(tsv, "fr", source: "The IASC WG met.", target: "Le GT de l'IASC s'est réuni.")
                == "glossary terms not used: “IASC WG” → “Groupe de travail de l'IASC”")
        // Part of a longer word is not the term; an acronym keeps its case, a word does not.
        #expect(try Self.problem(tsv, "fr", source: "IASCs and clustering.", target: "x") == nil)
        #expect(try Self.problem(tsv, "fr", source: "iasc", target: "x") == nil)
        #expect(
            try Self.problem(tsv, "fr", source: "The Cluster", target: "Le groupe").map { $0.contains("cluster") }
                == true)
    }

    @Test func variantsPairInOrderOrAnyWillDo() throws {
        let paired = "HC / Humanitarian Coordinator\tCH / Coordonnateur humanitaire\t\n"
        #expect(try Self.problem(paired, "fr", source: "The HC", target: "Le CH") == nil)
        #expect(try Self.problem(paired, "fr", source: "The HC", target: "Le coordonnateur humanitaire") != nil)
        let either = "global\tmundial / global\t\n"
        #expect(try Self.problem(either, "es", source: "a global plan", target: "un plan mundial") == nil)
        // An explanation in parentheses: either part will do.
        let explained = "PSEA\tPEAS (protección contra la explotación y los abusos sexuales)\t\n"
        #expect(try Self.problem(explained, "es", source: "PSEA", target: "la PEAS") == nil)
    }

    @Test func endingsAnInsertedWordAndAnAcronymKeptCountAsUsed() throws {
        let tsv = "needs assessment\tévaluation des besoins\t\nIASC Protection Policy\tpolitique de protection\t\n"
        #expect(try Self.problem(tsv, "fr", source: "needs assessment", target: "les évaluations des besoins") == nil)
        #expect(
            try Self.problem(tsv, "fr", source: "needs assessment", target: "évaluations multisectorielles des besoins")
                == nil)
        #expect(try Self.problem(tsv, "fr", source: "needs assessment", target: "l'examen des besoins") != nil)
        #expect(try Self.problem("WoSR\tExamen\t\n", "fr", source: "the WoSR", target: "le WoSR") == nil)
    }

    @Test func arabicPrefixesAndEndingsAreSetAside() throws {
        let tsv =
            "IASC\tاللجنة الدائمة المشتركة بين الوكالات\t\ndissemination\tالنشر\t\nKey Stakeholders\tالجهات المعنية الرئيسية\t\n"
        #expect(
            try Self.problem(
                tsv, "ar", source: "the IASC website", target: "الموقع الشبكي للجنة الدائمة المشتركة بين الوكالات")
                == nil)
        #expect(try Self.problem(tsv, "ar", source: "dissemination", target: "الترويج ونشرها") == nil)
        #expect(
            try Self.problem(tsv, "ar", source: "Key Stakeholders", target: "إحاطات للجهات المعنية الرئيسية") == nil)
        #expect(try Self.problem(tsv, "ar", source: "dissemination", target: "الترويج") != nil)
    }

    @Test func aRowWithoutATranslationIsRefusedWithItsLine() {
        #expect(throws: GlossaryError.self) { try Glossary(tsv: "en\tfr\nIASC\tIASC\nWG\n", language: "fr") }
        #expect((try? Glossary(tsv: "en\tfr\n\nIASC\tIASC\n", language: "fr"))?.entries.count == 1)
    }
}
