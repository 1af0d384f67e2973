/// The end-punctuation check: source and target end with the same kind of punctuation, each written the way
/// the target language writes it, and Arabic text uses Arabic `؟ ؛ ،` rather than Latin `? ; ,`.
enum EndPunctuation {
    /// The kinds of final punctuation; each language writes them with its own characters.
    enum Mark {
        case fullStop, ellipsis, question, exclamation, colon, semicolon, comma
    }

    /// Arabic writes `?`, `;` and `,` as `؟`, `؛` and `،`; French spaces before `?` and Spanish opens with `¿`,
    /// which changes neither the final character nor its kind.
    private static let marks: [Character: Mark] = [
        ".": .fullStop, "。": .fullStop, "۔": .fullStop, "…": .ellipsis,
        "?": .question, "؟": .question, "？": .question,
        "!": .exclamation, "！": .exclamation,
        ":": .colon, "：": .colon,
        ";": .semicolon, "؛": .semicolon, "；": .semicolon,
        ",": .comma, "،": .comma, "，": .comma,
    ]

    private static let arabicEquivalents: [Character: Character] = ["?": "؟", ";": "؛", ",": "،"]

    /// Closing quotes and emphasis markers may come after the final punctuation or before it (`"go."` and
    /// `« allez ».`), so they are looked through. Closing brackets are not: in `(helpdesk etc.)` the full stop
    /// belongs to the abbreviation, not to the sentence.
    private static let closers: Set<Character> = ["\"", "'", "”", "’", "»", "›", "*", "_"]

    static func problem(in pair: QualityPair) -> String? {
        var problems: [String] = []
        let source = finalMark(of: pair.trimmedSource)
        let target = finalMark(of: pair.trimmedTarget)
        if source?.mark != target?.mark {
            problems.append(
                "end punctuation differs: source ends with \(describe(source)), target with \(describe(target))")
        }
        if pair.isArabic {
            for latin in latinMarks(inArabic: pair.trimmedTarget) {
                problems.append("Latin \"\(latin)\" in Arabic text (use \"\(arabicEquivalents[latin]!)\")")
            }
        }
        return problems.isEmpty ? nil : problems.joined(separator: "; ")
    }

    private static func finalMark(of text: String) -> (mark: Mark, written: String)? {
        let characters = Array(text)
        var end = characters.count
        while end > 0, characters[end - 1].isWhitespace || closers.contains(characters[end - 1]) { end -= 1 }
        guard end > 0, let mark = marks[characters[end - 1]] else { return nil }
        if mark == .fullStop, end >= 3, characters[end - 3..<end].allSatisfy({ $0 == "." }) {
            return (.ellipsis, "...")
        }
        return (mark, String(characters[end - 1]))
    }

    private static func describe(_ final: (mark: Mark, written: String)?) -> String {
        final.map { "\"\($0.written)\"" } ?? "no punctuation"
    }

    /// The Latin `?`, `;` and `,` of Arabic text that touch an Arabic word (spaces aside) or end the text.
    /// Between Latin words or digits (`AAP, PSEA`, `1,000`) they are left alone.
    private static func latinMarks(inArabic text: String) -> [Character] {
        let characters = Array(text)
        guard characters.contains(where: ArabicScript.isLetter) else { return [] }
        var found: [Character] = []
        for (index, character) in characters.enumerated() where arabicEquivalents[character] != nil {
            let ends = characters[(index + 1)...].allSatisfy { $0.isWhitespace || closers.contains($0) }
            let touchesArabic =
                arabicLetter(in: characters, from: index, step: -1)
                || arabicLetter(in: characters, from: index, step: 1)
            if (ends || touchesArabic) && !found.contains(character) { found.append(character) }
        }
        return found
    }

    /// Whether the first character past `index` in direction `step`, skipping spaces, is an Arabic letter.
    private static func arabicLetter(in characters: [Character], from index: Int, step: Int) -> Bool {
        var position = index + step
        while characters.indices.contains(position), characters[position].isWhitespace,
            !characters[position].isNewline
        {
            position += step
        }
        return characters.indices.contains(position) && ArabicScript.isLetter(characters[position])
    }
}

/// Which characters are Arabic script.
enum ArabicScript {
    static func contains(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0600...0x06FF, 0x0750...0x077F, 0x0870...0x08FF, 0xFB50...0xFDFF, 0xFE70...0xFEFC: true
        default: false
        }
    }

    static func isLetter(_ character: Character) -> Bool {
        character.isLetter && character.unicodeScalars.first.map(contains) == true
    }
}

// MARK: - Doubled words

extension QualityRules {
    /// Repeats that are grammatical: French reflexives (`nous nous engageons`), English `had had`.
    private static let legitimateRepeats: [String: Set<String>] = [
        "fr": ["nous", "vous"],
        "en": ["had", "that"],
    ]

    /// The same word twice in a row, in any script, ignoring case and Arabic vowel marks. A repeat the source
    /// has too (`Bora Bora`) is meant.
    static func doubledWords(_ pair: QualityPair) -> String? {
        let language = pair.language.split(separator: "-").first.map { $0.lowercased() } ?? ""
        let allowed = legitimateRepeats[language, default: []].union(repeats(in: pair.source).map(\.folded))
        var seen = Set<String>()
        let found = repeats(in: pair.target).filter { !allowed.contains($0.folded) && seen.insert($0.folded).inserted }
        guard !found.isEmpty else { return nil }
        let list = found.map { "\"\($0.written)\"" }.joined(separator: ", ")
        return "doubled word\(found.count == 1 ? "" : "s"): \(list)"
    }

    /// Each word followed by itself with only spaces or tabs between; a newline separates list elements, which
    /// may repeat.
    private static func repeats(in text: String) -> [(written: String, folded: String)] {
        let characters = Array(text)
        var words: [Range<Int>] = []
        var index = 0
        while index < characters.count {
            guard isWordCharacter(characters[index]) else {
                index += 1
                continue
            }
            let start = index
            while index < characters.count,
                isWordCharacter(characters[index])
                    || ("'’-".contains(characters[index]) && index + 1 < characters.count
                        && isWordCharacter(characters[index + 1]))
            {
                index += 1
            }
            words.append(start..<index)
        }
        return zip(words, words.dropFirst()).compactMap { first, second in
            let gap = characters[first.upperBound..<second.lowerBound]
            let folded = fold(characters[first])
            guard gap.allSatisfy({ $0.isWhitespace && !$0.isNewline }), characters[first].contains(where: \.isLetter),
                folded == fold(characters[second])
            else { return nil }
            return (String(characters[first.lowerBound..<second.upperBound]), folded)
        }
    }

    private static func isWordCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber
            || character.unicodeScalars.first?.properties.generalCategory == .nonspacingMark
    }

    /// Lowercased, without combining marks or the Arabic tatweel, so `فِي` and `في` are the same word.
    private static func fold(_ word: ArraySlice<Character>) -> String {
        var folded = ""
        for scalar in String(word).lowercased().unicodeScalars
        where scalar.properties.generalCategory != .nonspacingMark && scalar != "\u{0640}" {
            folded.unicodeScalars.append(scalar)
        }
        return folded
    }
}
