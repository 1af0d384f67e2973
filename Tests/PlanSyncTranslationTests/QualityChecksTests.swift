import PlanSyncCore
import PlanSyncTranslation
import Testing

/// A source and its translation, and whether one check must report them.
struct QualityCase: Sendable, CustomTestStringConvertible {
    let source: String
    let target: String
    let language: String
    let fails: Bool

    init(_ source: String, _ target: String, _ language: String = "fr", fails: Bool) {
        self.source = source
        self.target = target
        self.language = language
        self.fails = fails
    }

    var testDescription: String {
        "\(fails ? "fails" : "passes") [\(language)]: \(source.debugDescription) → \(target.debugDescription)"
    }

    func failed(_ check: QualityCheck) -> Bool {
        QualityChecker.check(source: source, target: target, language: language).contains { $0.check == check }
    }
}

/// A pair and the message one check must give it.
struct ExpectedMessage: Sendable, CustomTestStringConvertible {
    let check: QualityCheck
    let source: String
    let target: String
    let language: String
    let message: String

    init(_ check: QualityCheck, _ source: String, _ target: String, language: String = "fr", _ message: String) {
        self.check = check
        self.source = source
        self.target = target
        self.language = language
        self.message = message
    }

    var testDescription: String { "\(check.rawValue) [\(language)]: \(message)" }
}

@Suite("Translation quality checks")
struct QualityChecksTests {
    // MARK: - One table per check

    @Test(arguments: [
        QualityCase("Title", "", fails: true),
        QualityCase("Title", "  \n", fails: true),
        QualityCase("", "", fails: false),
        QualityCase("Title", "Titre", fails: false),
    ])
    func emptyTarget(_ unit: QualityCase) {
        #expect(unit.failed(.emptyTarget) == unit.fails)
    }

    @Test(arguments: [
        QualityCase("Provide remote support", "Provide remote support", fails: true),
        QualityCase("Helpdesk", "Helpdesk ", fails: true),
        QualityCase("IASC AAP/PSEA REVITALISED WORKPLAN", "IASC AAP/PSEA REVITALISED WORKPLAN", fails: true),
        QualityCase("OCHA", "OCHA", fails: false),
        QualityCase("EDG/STAIT", "EDG/STAIT", fails: false),
        QualityCase("OCHA/HLSU", "OCHA/HLSU", "ar", fails: false),
        QualityCase("UNHCR, OCHA (A.1)", "UNHCR, OCHA (A.1)", fails: false),
        QualityCase("OCHA – UNHCR", "OCHA – UNHCR", "es", fails: false),
        QualityCase("2017 – 3.4", "2017 – 3.4", fails: false),
        QualityCase("https://example.org", "https://example.org", fails: false),
        QualityCase("Provide remote support", "Fournir un appui à distance", fails: false),
        // A camel-case name (an organisation, a product) is written as it is in every language.
        QualityCase("InterAction", "InterAction", "es", fails: false),
        QualityCase("ReliefWeb", "ReliefWeb", fails: false),
        QualityCase("Interaction", "Interaction", fails: true),
    ])
    func identicalToSource(_ unit: QualityCase) {
        #expect(unit.failed(.identicalToSource) == unit.fails)
    }

    @Test(arguments: [
        QualityCase("In 2016, 13.8% of staff", "En 2016, 13,8 % du personnel", fails: false),
        QualityCase("In 2016, 13.8% of staff", "En 2017, 13,8 % du personnel", fails: true),
        QualityCase("Raise 1,500 dollars", "Recaudar 1.500 dólares", "es", fails: false),
        QualityCase("Raise 1,500 dollars", "Collecter 1\u{202F}500 dollars", fails: false),
        QualityCase("Raise 1,500.5 dollars", "Collecter 1 500,5 dollars", fails: false),
        QualityCase("By December 2017", "بحلول كانون الأول/ديسمبر ٢٠١٧", "ar", fails: false),
        QualityCase("By December 2017", "بحلول كانون الأول/ديسمبر ۲۰۱۷", "ar", fails: false),
        QualityCase("By December 2017", "بحلول كانون الأول/ديسمبر ٢٠١٦", "ar", fails: true),
        QualityCase("A rate of 13.8", "معدل ١٣٫٨", "ar", fails: false),
        QualityCase("A rate of 13.8", "معدل ١٣٨", "ar", fails: true),
        QualityCase("1,000 people", "١٬٠٠٠ شخص", "ar", fails: false),
        QualityCase("See section A.1", "Voir la section A.2", fails: true),
        QualityCase("Steps 3.4 and 5", "Étapes 3.4 et 5", fails: false),
        QualityCase("Steps 3.4 and 5", "Étapes 34 et 5", fails: true),
        QualityCase("Teams of 5 and 5", "Équipes de 5", fails: true),
        QualityCase("See https://example.org/report-2016", "Voir https://example.org/rapport", fails: false),
        QualityCase("Write to team2016@example.org", "Écrire à equipe@example.org", fails: false),
        QualityCase("Item {0} of 3", "Élément {1} sur 3", fails: false),
    ])
    func numbers(_ unit: QualityCase) {
        #expect(unit.failed(.numbers) == unit.fails)
    }

    @Test(arguments: [
        QualityCase("Hello {name}", "Bonjour {name}", fails: false),
        QualityCase("Hello {name}", "Bonjour {nom}", fails: true),
        QualityCase("{0} of {1}", "{1} sur {0}", fails: false),
        QualityCase("%s items", "%d éléments", fails: true),
        QualityCase("%1$d of %2$d", "%2$d sur %1$d", fails: false),
        QualityCase("Hi {{user}}", "Salut {{user}}", fails: false),
        QualityCase("Hi {{user}}", "Salut {user}", fails: true),
        QualityCase("**Bold** text", "Texte **gras**", fails: false),
        QualityCase("**Bold** text", "Texte gras", fails: true),
        QualityCase("Run `sync` now", "Lancez `sync`", fails: false),
        QualityCase("Run `sync` now", "Lancez `synchroniser`", fails: true),
        QualityCase("See [the guide](https://example.org/g)", "Voir [le guide](https://example.org/g)", fails: false),
        QualityCase("See [the guide](https://example.org/g)", "Voir [le guide](https://example.org/f)", fails: true),
        QualityCase("Rose 50% overall", "Augmenté de 50 % au total", fails: false),
        QualityCase("Rose 50% overall", "Augmenté de 50% au total", fails: false),
        QualityCase("See https://example.org/a%20doc", "Voir https://example.org/b", fails: false),
    ])
    func placeholders(_ unit: QualityCase) {
        #expect(unit.failed(.placeholders) == unit.fails)
    }

    @Test(arguments: [
        QualityCase("See https://example.org/guide.", "Voir https://example.org/guide", fails: false),
        QualityCase("See www.example.org", "Voir www.example.org", fails: false),
        QualityCase("See https://example.org", "Voir https://example.fr", fails: true),
        QualityCase("See https://example.org", "Voir le site", fails: true),
        QualityCase("(see https://example.org/a)", "(voir https://example.org/a).", fails: false),
        QualityCase("See https://example.org", "انظر https://example.org", "ar", fails: false),
        QualityCase("See https://example.org, then https://example.org", "Voir https://example.org", fails: false),
    ])
    func urls(_ unit: QualityCase) {
        #expect(unit.failed(.urls) == unit.fails)
    }

    @Test(arguments: [
        QualityCase("Write to help@example.org.", "Écrire à help@example.org.", fails: false),
        QualityCase("Write to help@example.org", "Écrire à aide@example.org", fails: true),
        QualityCase("Write to help@example.org", "Écrire à l'équipe", fails: true),
        QualityCase("No address here", "Pas d'adresse ici", fails: false),
        QualityCase("Write to help@example.org", "اكتب إلى help@example.org", "ar", fails: false),
    ])
    func emails(_ unit: QualityCase) {
        #expect(unit.failed(.emails) == unit.fails)
    }

    @Test(arguments: [
        QualityCase("Title", "Titre", fails: false),
        QualityCase(" Title", "Titre", fails: true),
        QualityCase("Title\n", "Titre", fails: true),
        QualityCase("Title ", "Titre\n", fails: true),
        QualityCase("Title\n", "Titre\n", fails: false),
        QualityCase("\tTitle", " Titre", fails: true),
        QualityCase(" Title", "\u{00A0}Titre", fails: false),
    ])
    func whitespace(_ unit: QualityCase) {
        #expect(unit.failed(.whitespace) == unit.fails)
    }

    @Test(arguments: [
        QualityCase("Hello", "\u{2067}مرحبا\u{2069}", "ar", fails: false),
        QualityCase("Hello", "\u{2067}مرحبا", "ar", fails: true),
        QualityCase("Hello", "\u{202B}مرحبا\u{202C}", "ar", fails: false),
        QualityCase("Hello", "مرحبا\u{202C}", "ar", fails: true),
        QualityCase("Hello", "\u{202B}مرحبا\u{2069}", "ar", fails: true),
        QualityCase("Hello", "\u{2067}مرحبا\nأهلا\u{2069}", "ar", fails: true),
        QualityCase("Hello", "\u{2066}\u{202B}مرحبا\u{202C}\u{2069}", "ar", fails: false),
        QualityCase("Hello", "مرحبا", "ar", fails: false),
    ])
    func bidiControls(_ unit: QualityCase) {
        #expect(unit.failed(.bidiControls) == unit.fails)
    }

    @Test(arguments: [
        QualityCase("OCHA and UNHCR", "OCHA OCHA et le HCR", fails: true),
        QualityCase("in the camp", "في في المخيم", "ar", fails: true),
        QualityCase("in the camp", "فِي في المخيم", "ar", fails: true),
        QualityCase("The plan", "Le le plan", fails: true),
        QualityCase("The plan", "Le plan", fails: false),
        QualityCase("We commit", "Nous nous engageons", fails: false),
        QualityCase("OCHA\nUNHCR", "OCHA\nOCHA", fails: false),
        QualityCase("Bora Bora office", "Bureau de Bora Bora", fails: false),
        QualityCase("OCHA, UNHCR", "OCHA, OCHA", fails: false),
    ])
    func doubledWords(_ unit: QualityCase) {
        #expect(unit.failed(.doubledWords) == unit.fails)
    }

    @Test(arguments: [
        QualityCase("Why?", "Pourquoi ?", fails: false),
        QualityCase("Why?", "Pourquoi\u{202F}?", fails: false),
        QualityCase("Why?", "¿Por qué?", "es", fails: false),
        QualityCase("Why?", "لماذا؟", "ar", fails: false),
        QualityCase("Why?", "لماذا?", "ar", fails: true),
        QualityCase("Why?", "Pourquoi.", fails: true),
        QualityCase("Form a group.", "Former un groupe", fails: true),
        QualityCase("Form a group", "Former un groupe.", fails: true),
        QualityCase("Form a group.", "تشكيل فريق.", "ar", fails: false),
        QualityCase("He said “go.”", "Il a dit « allez ».", fails: false),
        QualityCase("Note: see the annex;", "ملاحظة: انظر المرفق؛", "ar", fails: false),
        QualityCase("Note;", "ملاحظة;", "ar", fails: true),
        QualityCase("OCHA, UNHCR and IOM", "أوتشا, والمفوضية والمنظمة", "ar", fails: true),
        QualityCase("Groups A, B and C", "المجموعات A, B وC", "ar", fails: false),
        QualityCase("Webinars (helpdesk etc.)", "ندوات (مكتب المساعدة وما إلى ذلك)", "ar", fails: false),
        QualityCase("Wait...", "Attendez…", fails: false),
    ])
    func endPunctuation(_ unit: QualityCase) {
        #expect(unit.failed(.endPunctuation) == unit.fails)
    }

    @Test(arguments: [
        QualityCase("Helpdesk", "Service\u{200B}d'assistance", fails: true),
        QualityCase("Helpdesk", "Service d'assistance", fails: false),
        QualityCase("Beep", "Bip\u{0007}", fails: true),
        QualityCase("Lines", "Ligne\nLigne\tsuite", fails: false),
        QualityCase("Line one\r\nLine two", "Ligne un\r\nLigne deux", fails: false),
        QualityCase("Soft", "Sou\u{00AD}ple", fails: true),
        QualityCase("Support", "\u{FEFF}Appui", fails: true),
        QualityCase("Support", "Appui\u{2060}", fails: true),
        QualityCase("Support", "Appui\u{0085}", fails: true),
        QualityCase("I want", "می\u{200C}خواهم", "ar", fails: false),
        QualityCase("Joined", "non\u{200C}joint", fails: true),
        QualityCase("OCHA", "\u{200F}أوتشا", "ar", fails: false),
    ])
    func controlCharacters(_ unit: QualityCase) {
        #expect(unit.failed(.controlCharacters) == unit.fails)
    }

    @Test(arguments: [
        QualityCase("Provision of remote technical support", "Appui", fails: true),
        QualityCase(
            "Provision of remote technical support", "Fourniture d'un appui technique à distance", fails: false),
        QualityCase("Helpdesk", "Service d'assistance aux membres et aux partenaires du terrain", fails: false),
        QualityCase("Provision of remote support", String(repeating: "appui ", count: 15), fails: true),
        // Acronyms are spelled out in translation, Arabic nearly always: each allows for the words it stands for.
        QualityCase(
            "TBD per WoSR MRP adopted by IASC WG",
            "Por determinar, según el plan de respuesta de la administración (MRP) del Examen de Todo el Sistema "
                + "(WoSR) aprobado por el Grupo de Trabajo del IASC", "es", fails: false),
        QualityCase(
            "HCs and RCs: the OCHA HCSU",
            "منسقو الشؤون الإنسانية والمنسقون المقيمون: وحدة دعم منسقي الشؤون الإنسانية (HCSU) في مكتب تنسيق الشؤون "
                + "الإنسانية", "ar", fails: false),
        // Without acronyms there is nothing to spell out, and over 3× still reads as something added.
        QualityCase("To be decided by the working group", String(repeating: "à décider ", count: 11), fails: true),
    ])
    func length(_ unit: QualityCase) {
        #expect(unit.failed(.length) == unit.fails)
    }

    // MARK: - Messages and order

    @Test(arguments: [
        ExpectedMessage(
            .numbers, "In 2016 the rate was 13.8.", "En 2017, le taux était de.",
            "numbers differ: source has 2016, 13.8; target has 2017"),
        ExpectedMessage(
            .bidiControls, "Hello", "\u{2067}مرحبا", language: "ar",
            "unbalanced bidi controls: 1 embedding or isolate not closed"),
        ExpectedMessage(.endPunctuation, "Why?", "لماذا?", language: "ar", "Latin \"?\" in Arabic text (use \"؟\")"),
        ExpectedMessage(
            .endPunctuation, "Why?", "Pourquoi",
            "end punctuation differs: source ends with \"?\", target with no punctuation"),
        ExpectedMessage(
            .controlCharacters, "Helpdesk", "Service\u{200B}d'assistance",
            "control or invisible characters: U+200B ZERO WIDTH SPACE"),
        ExpectedMessage(.doubledWords, "OCHA and UNHCR", "OCHA OCHA et le HCR", "doubled word: \"OCHA OCHA\""),
        ExpectedMessage(
            .whitespace, "Title", " Titre", "leading whitespace differs: source has none, target has 1 space"),
        ExpectedMessage(
            .placeholders, "Hello {name}", "Bonjour {nom}", "placeholders differ: source has {name}; target has {nom}"),
        ExpectedMessage(
            .urls, "See https://example.org.", "Voir le site.",
            "URLs differ: source has https://example.org not in target"),
        ExpectedMessage(
            .length, "Provision of remote technical support", "Appui",
            "target is much shorter than the source: 5 characters against 37 (under 0.3×)"),
    ])
    func messageNamesWhatDiffers(_ expected: ExpectedMessage) {
        let found = QualityChecker.check(source: expected.source, target: expected.target, language: expected.language)
        #expect(found.first { $0.check == expected.check }?.message == expected.message)
    }

    @Test func anEmptyTargetFailsNothingElse() {
        let found = QualityChecker.check(source: "In 2017, see https://example.org.", target: "  ", language: "fr")
        #expect(found.map(\.check) == [.emptyTarget])
        #expect(found.map(\.message) == ["target is whitespace only"])
    }

    @Test func checksAreReportedInDeclarationOrder() {
        let found = QualityChecker.check(
            source: "Provide support in 2016.", target: " Fournir fournir un appui en 2017", language: "fr")
        #expect(found.map(\.check) == [.numbers, .whitespace, .doubledWords, .endPunctuation])
    }

    // MARK: - Findings over records

    static let writer = Writer(time: HybridTimestamp(wall: 1, logical: 0, replica: ReplicaID("r1")), author: "tester")

    static func record(_ id: String, _ edits: [Edit]) throws -> RecordState {
        var record = RecordState(id: id, collection: "plan")
        for edit in edits { try record.apply(edit, schema: .planSync, by: writer) }
        return record
    }

    @Test func findingsAreSortedByRecordFieldAndCheck() throws {
        let second = try Self.record(
            "plan-b",
            [
                .set(field: "title", value: "Plan for 2017."),
                .set(field: "subtitle", value: "Remote support for field teams"),
                .translate(field: "subtitle", language: "fr", text: "Remote support for field teams", status: .draft),
                .translate(field: "title", language: "fr", text: "Plan pour 2016", status: .translated),
            ])
        let first = try Self.record(
            "plan-a",
            [
                .set(field: "title", value: "Why?"),
                .set(field: "notes", value: "Notes"),
                .translate(field: "title", language: "fr", text: "Pourquoi", status: .translated),
                .translate(field: "title", language: "ar", text: "لماذا?", status: .translated),
                // Untranslated: the English copied into the target is not a translation to check.
                .translate(field: "notes", language: "fr", text: "Notes", status: .untranslated),
            ])
        let deleted = try Self.record(
            "plan-0",
            [
                .set(field: "title", value: "Why?"),
                .translate(field: "title", language: "fr", text: "Pourquoi", status: .translated),
                .delete,
            ])

        let findings = QualityChecker.findings(in: [second, deleted, first], language: "fr")

        #expect(
            findings.map { "\($0.record) \($0.field) \($0.check.rawValue)" } == [
                "plan-a title end-punctuation",
                "plan-b title numbers",
                "plan-b title end-punctuation",
                "plan-b subtitle identical-to-source",
            ])
        #expect(findings.allSatisfy { $0.language == "fr" && !$0.message.isEmpty })
    }
}
