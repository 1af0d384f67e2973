import PlanSyncCore

/// One QA check a translation can fail.
///
/// The raw values are the names `plansync translations check` prints; the order of the cases is the order a
/// unit's findings are reported in.
public enum QualityCheck: String, Codable, Sendable, CaseIterable {
    /// The target is empty or whitespace only while the source is not.
    case emptyTarget = "empty-target"
    /// The target repeats the source, which is neither a code nor made only of acronyms.
    case identicalToSource = "identical-to-source"
    /// The numbers differ, read across scripts (Arabic-Indic digits) and locales (decimal comma, grouping).
    case numbers
    /// Placeholders (`{0}`, `%s`, `%1$d`, `{name}`, `{{x}}`) or Markdown inline tokens (`**`, code spans,
    /// link targets) differ.
    case placeholders
    /// The URLs (`http://`, `https://`, `www.`) differ.
    case urls
    /// The e-mail addresses differ.
    case emails
    /// Leading or trailing whitespace differs.
    case whitespace
    /// Bidi embeddings, overrides or isolates are left open or closed twice.
    case bidiControls = "bidi-controls"
    /// The same word twice in a row.
    case doubledWords = "doubled-words"
    /// The final punctuation differs, or Arabic text uses Latin `?` `;` `,`.
    case endPunctuation = "end-punctuation"
    /// Control characters or invisible characters (zero-width space, soft hyphen, byte order mark).
    case controlCharacters = "control-characters"
    /// The target is far shorter or far longer than the source.
    case length
    /// A glossary term of the source whose agreed translation the target does not use (`Glossary`).
    case glossary
}

/// A problem found in one translation.
public struct QualityFinding: Codable, Sendable, Hashable {
    public var record: String
    public var field: String
    public var language: String
    public var check: QualityCheck
    /// One line naming what differs, e.g. `numbers differ: source has 2016, 13.8; target has 2017`.
    public var message: String

    public init(record: String, field: String, language: String, check: QualityCheck, message: String) {
        self.record = record
        self.field = field
        self.language = language
        self.check = check
        self.message = message
    }
}

/// The QA checks of `plansync translations check`: pure functions of a source, its target and the language.
public enum QualityChecker {
    /// The checks one translation fails, with a one-line message each, in `QualityCheck.allCases` order.
    ///
    /// An empty target fails only `emptyTarget`: every other check would just restate that it is missing.
    public static func check(
        source: String, target: String, language: String, glossary: Glossary? = nil
    ) -> [(check: QualityCheck, message: String)] {
        check(source: source, target: target, language: language, patterns: TokenPatterns(), glossary: glossary)
    }

    /// The same, with patterns compiled once for a whole run.
    static func check(
        source: String, target: String, language: String, patterns: TokenPatterns, glossary: Glossary?
    ) -> [(check: QualityCheck, message: String)] {
        let pair = QualityPair(
            source: source, target: target, language: language, patterns: patterns, glossary: glossary)
        if let message = QualityCheck.emptyTarget.problem(in: pair) {
            return [(.emptyTarget, message)]
        }
        return QualityCheck.allCases.compactMap { check in
            check.problem(in: pair).map { (check, $0) }
        }
    }

    /// Every finding for every provisional translation into `language` in `records`, sorted by record id,
    /// then field (schema order), then check order.
    ///
    /// Deleted records are skipped, and so are translations still marked `untranslated`: their text is a
    /// placeholder (an XLIFF export copies the English into it), and coverage already reports them.
    public static func findings(
        in records: [RecordState], language: String, schema: Schema = .planSync, glossary: Glossary? = nil
    ) -> [QualityFinding] {
        let patterns = TokenPatterns()
        var findings: [QualityFinding] = []
        for record in records.sorted(by: { $0.id < $1.id }) where !record.isDeleted {
            guard let collection = schema.collection(record.collection) else { continue }
            for field in collection.fields where field.translatable {
                guard let view = record.translation(of: field.name, language: language, schema: schema),
                    view.status != .untranslated
                else { continue }
                let source = record.sourceText(of: field.name, schema: schema)
                let found = check(
                    source: source, target: view.text, language: language, patterns: patterns, glossary: glossary)
                for (check, message) in found {
                    findings.append(
                        QualityFinding(
                            record: record.id, field: field.name, language: language, check: check,
                            message: message))
                }
            }
        }
        return findings
    }
}

// MARK: - Dispatch

extension QualityCheck {
    /// What is wrong with the pair under this check, in one line, or nil when it passes.
    func problem(in pair: QualityPair) -> String? {
        switch self {
        case .emptyTarget: QualityRules.emptyTarget(pair)
        case .identicalToSource: QualityRules.identicalToSource(pair)
        case .numbers:
            TokenDifference.message(
                "numbers differ", source: pair.sourceTokens.numbers, target: pair.targetTokens.numbers)
        case .placeholders:
            TokenDifference.message(
                "placeholders differ", source: pair.sourceTokens.placeholders,
                target: pair.targetTokens.placeholders)
        case .urls:
            TokenDifference.message(
                "URLs differ", distinct: pair.sourceTokens.urls, pair.targetTokens.urls)
        case .emails:
            TokenDifference.message(
                "e-mail addresses differ", distinct: pair.sourceTokens.emails, pair.targetTokens.emails)
        case .whitespace: QualityRules.whitespace(pair)
        case .bidiControls: QualityRules.bidiControls(pair.target)
        case .doubledWords: QualityRules.doubledWords(pair)
        case .endPunctuation: EndPunctuation.problem(in: pair)
        case .controlCharacters: QualityRules.controlCharacters(pair.target)
        case .length: QualityRules.length(pair)
        case .glossary: pair.glossary?.problem(source: pair.source, target: pair.target)
        }
    }
}

/// A source and its translation, with what several checks share worked out once.
struct QualityPair {
    let source: String
    let target: String
    let language: String
    let trimmedSource: String
    let trimmedTarget: String
    let sourceTokens: CarriedTokens
    let targetTokens: CarriedTokens
    let glossary: Glossary?

    init(source: String, target: String, language: String, patterns: TokenPatterns, glossary: Glossary? = nil) {
        self.glossary = glossary
        self.source = source
        self.target = target
        self.language = language
        self.trimmedSource = Self.trimmed(source)
        self.trimmedTarget = Self.trimmed(target)
        self.sourceTokens = CarriedTokens(source, patterns: patterns)
        self.targetTokens = CarriedTokens(target, patterns: patterns)
    }

    /// Whether the target language is Arabic (`ar`, or a regional form such as `ar-EG`).
    var isArabic: Bool {
        language.split(separator: "-").first?.lowercased() == "ar"
    }

    static func trimmed(_ text: String) -> String {
        var text = Substring(text)
        while text.first?.isWhitespace == true { text.removeFirst() }
        while text.last?.isWhitespace == true { text.removeLast() }
        return String(text)
    }
}
