import PlanSyncCore

/// A language's agreed terms (`Translations/LANG/glossary.tsv`: the English term, the term used, a note; a
/// header row first). A term may list variants, `HC / Humanitarian Coordinator` → `CH / Coordonnateur
/// humanitaire`: paired in order when both sides list as many, else any variant of the translation will do.
public struct Glossary: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public var term: String
        public var translation: String
        public var note: String
    }

    public let language: String
    public let entries: [Entry]
    /// Each English variant with the translations that may stand for it, longest first.
    let variants: [(english: String, accepted: [String])]

    public static func == (lhs: Glossary, rhs: Glossary) -> Bool {
        lhs.language == rhs.language && lhs.entries == rhs.entries
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(language)
        hasher.combine(entries)
    }

    /// Reads the tab-separated text; a row without two columns is refused with its line number.
    public init(tsv: String, language: String) throws(GlossaryError) {
        self.language = language
        var entries: [Entry] = []
        for (index, line) in tsv.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where index > 0 {
            let line = line.hasSuffix("\r") ? line.dropLast() : line
            guard !line.allSatisfy(\.isWhitespace) else { continue }
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map {
                QualityPair.trimmed(String($0))
            }
            guard columns.count >= 2, !columns[0].isEmpty, !columns[1].isEmpty else {
                throw GlossaryError("glossary line \(index + 1): expected the English term, a tab and its translation")
            }
            entries.append(Entry(term: columns[0], translation: columns[1], note: columns.count > 2 ? columns[2] : ""))
        }
        self.entries = entries
        self.variants = entries.flatMap(\.variants).sorted { $0.english.count > $1.english.count }
    }

    /// The glossary as OmegaT reads one (a UTF-8 `.txt` file in the project's `glossary/` folder): a row per
    /// term variant — source, tab, target, tab, comment — and no header.
    public var omegaT: String {
        var out = ""
        for entry in entries {
            for (term, accepted) in entry.variants {
                out += "\(term)\t\(accepted.joined(separator: " / "))\t\(entry.note)\n"
            }
        }
        return out
    }

    /// The terms of `source` whose agreed translation `target` does not use, as one line, or nil.
    ///
    /// A term counts when it appears in the English as a whole word (an all-capitals term with its case, any
    /// other in any case); a longer term that covers it is checked instead (`IASC WG`, not `IASC`). The
    /// translation counts when it appears anywhere in the target, in any case: Arabic joins prefixes to it.
    func problem(source: String, target: String) -> String? {
        let characters = Array(source)
        let folded = characters.map { $0.lowercased() }
        let targetFolded = target.lowercased()
        var covered: [Range<Int>] = []
        var missing: [String] = []
        for (english, accepted) in variants {
            let found =
                english.isAllCapitals
                ? Self.wholeWords(Array(english).map { String($0) }, in: characters.map { String($0) })
                : Self.wholeWords(Array(english).map { $0.lowercased() }, in: folded)
            let new = found.filter { range in !covered.contains { $0.overlaps(range) } }
            guard !new.isEmpty else { continue }
            covered += new
            let forms = accepted.flatMap(Entry.forms(of:))
            guard !forms.contains(where: { uses($0, in: targetFolded) }),
                // A target that keeps the English — an acronym, as Arabic often does in parentheses, or a name
                // left untranslated — uses the term.
                !(english.isAllCapitals ? target.contains(english) : targetFolded.contains(english.lowercased()))
            else { continue }
            missing.append("“\(english)” → “\(accepted.joined(separator: "” or “"))”")
        }
        return missing.isEmpty ? nil : "glossary terms not used: " + missing.joined(separator: "; ")
    }

    /// Whether the (lower-cased) target uses an agreed translation: as it is written, or word by word with each
    /// word of the target free to carry up to two letters more (a plural, `évaluations des besoins`), one
    /// word of the target between two of the term's (`évaluations multisectorielles des besoins`) and a Latin
    /// acronym in parentheses ignored (`سياسة اللجنة … (IASC) بشأن الحماية`). In Arabic the
    /// article and the prefixed conjunctions and prepositions are set aside (`للجنة` uses `اللجنة`) and any word
    /// of four letters or more may change its last two (dual, plural and case endings).
    private func uses(_ translation: String, in target: String) -> Bool {
        let translation = translation.lowercased()
        if target.contains(translation) { return true }
        let arabic = language.split(separator: "-").first == "ar"
        let words = arabic ? ArabicWords.stems(of: translation) : Self.words(of: translation).map { [$0] }
        let targetWords = arabic ? ArabicWords.stems(of: target) : Self.words(of: target).map { [$0] }
        guard !words.isEmpty, words.count <= targetWords.count else { return false }
        // In order from `start`, with at most one word of the target between two of the term's.
        func matches(from start: Int, word index: Int, gapLeft: Bool) -> Bool {
            guard index < words.count else { return true }
            guard start < targetWords.count else { return false }
            let (word, found) = (words[index], targetWords[start])
            if word == found || ArabicWords.matches(word, found),
                matches(from: start + 1, word: index + 1, gapLeft: gapLeft)
            {
                return true
            }
            return index > 0 && gapLeft && matches(from: start + 1, word: index, gapLeft: false)
        }
        return targetWords.indices.contains { matches(from: $0, word: 0, gapLeft: words.count > 1) }
    }

    /// The words of a text, a Latin acronym in parentheses left out.
    static func words(of text: String) -> [String] {
        text.split { !$0.isLetter && !$0.isNumber && $0 != "'" && $0 != "’" && $0 != "(" && $0 != ")" }
            .filter { !($0.hasPrefix("(") && $0.hasSuffix(")") && $0.dropFirst().dropLast().allSatisfy(\.isASCII)) }
            .map { String($0.filter { $0 != "(" && $0 != ")" }) }
    }

    /// The places where `needle` stands in `text` as a whole word: no letter or digit just before or after.
    private static func wholeWords(_ needle: [String], in text: [String]) -> [Range<Int>] {
        guard !needle.isEmpty, needle.count <= text.count else { return [] }
        func isWord(_ index: Int) -> Bool {
            guard text.indices.contains(index), let first = text[index].first else { return false }
            return first.isLetter || first.isNumber
        }
        return (0...(text.count - needle.count)).compactMap { start in
            guard text[start] == needle[0], Array(text[start..<(start + needle.count)]) == needle,
                !isWord(start - 1), !isWord(start + needle.count)
            else { return nil }
            return start..<(start + needle.count)
        }
    }
}

extension Glossary.Entry {
    /// Each English variant of the term with the translations that may stand for it.
    var variants: [(english: String, accepted: [String])] {
        let english = term.split(separator: " / ").map(String.init)
        let translated = translation.split(separator: " / ").map(String.init)
        return english.enumerated().map { index, term in
            (term, english.count == translated.count ? [translated[index]] : translated)
        }
    }

    /// The forms of a translation the check accepts: as written, and when it explains itself in parentheses
    /// (`PEAS (protección contra la explotación…)`), either part alone.
    static func forms(of translation: String) -> [String] {
        guard let open = translation.firstIndex(of: "("), translation.hasSuffix(")") else { return [translation] }
        let outside = QualityPair.trimmed(String(translation[..<open]))
        let inside = QualityPair.trimmed(
            String(translation[translation.index(after: open)..<translation.index(before: translation.endIndex)]))
        return [translation] + [outside, inside].filter { !$0.isEmpty }
    }
}

/// Words compared loosely enough for a glossary check, with no dictionary: Arabic stems, and endings (in
/// every language).
enum ArabicWords {
    /// The words of `text` without diacritics, with one alef form, and without the leading article and the
    /// one-letter prefixes before it (و ف ب ك ل).
    static func stems(of text: String) -> [[String]] {
        let plain = String(
            text.unicodeScalars.compactMap { scalar -> Character? in
                switch scalar.value {
                case 0x064B...0x0652, 0x0670, 0x0640, 0x2066...0x2069: nil
                case 0x0622, 0x0623, 0x0625: "ا"
                default: Character(scalar)
                }
            })
        return Glossary.words(of: plain).map { word in
            // Each way of reading the word's first letters as prefixes: a word may begin with those letters.
            var forms: Set<Substring> = [Substring(word)]
            for form in forms where form.count > 3 && "وف".contains(form.first!) { forms.insert(form.dropFirst()) }
            for form in forms where form.count > 3 && "بكل".contains(form.first!) { forms.insert(form.dropFirst()) }
            for form in forms where form.count > 3 && form.hasPrefix("ال") { forms.insert(form.dropFirst(2)) }
            // `ل` before the article loses the article's alef: `للجهات` is `ل` + `الجهات`, and `للجنة` is `ل` +
            // `اللجنة` (a word that begins with `ل`).
            for form in forms where form.count > 3 && form.hasPrefix("لل") {
                forms.insert(form.dropFirst(2))
                forms.insert("ل" + form.dropFirst(2))
            }
            return forms.map(String.init)
        }
    }

    /// Whether a target word is the glossary word with another ending: equal, the word and up to two letters
    /// more, or both of at least four letters that agree but for the last two.
    static func matches(_ word: String, _ target: String) -> Bool {
        guard word != target else { return true }
        // A suffix (a pronoun, a plural): `نشرها` uses `نشر`.
        if target.hasPrefix(word), target.count <= word.count + 2 { return true }
        guard word.count >= 4, target.count >= 4 else { return false }
        let stem = word.dropLast(2)
        return target.hasPrefix(stem) && target.count <= word.count + 2
    }

    /// `matches` for any reading of either word.
    static func matches(_ words: [String], _ targets: [String]) -> Bool {
        words.contains { word in targets.contains { matches(word, $0) } }
    }
}

public struct GlossaryError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

extension StringProtocol {
    fileprivate var isAllCapitals: Bool {
        contains { $0.isLetter } && allSatisfy { !$0.isLetter || $0.isUppercase }
    }
}
