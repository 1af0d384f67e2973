/// The checks that look at the shape of a translation rather than at tokens carried from the source.
enum QualityRules {
    static func emptyTarget(_ pair: QualityPair) -> String? {
        guard pair.trimmedTarget.isEmpty, !pair.trimmedSource.isEmpty else { return nil }
        return pair.target.isEmpty ? "target is empty" : "target is whitespace only"
    }

    /// Codes, numbers, URLs and acronyms stay the same in every language; anything else left identical was
    /// probably not translated.
    static func identicalToSource(_ pair: QualityPair) -> String? {
        guard pair.trimmedTarget == pair.trimmedSource else { return nil }
        var words = pair.trimmedSource
        for link in pair.sourceTokens.urls + pair.sourceTokens.emails {
            words = words.replacing(link, with: " ")
        }
        guard words.contains(where: \.isLetter), !isAcronyms(words), !isCamelCaseName(words) else { return nil }
        return "target is identical to the source"
    }

    /// Whether every word is acronym-like: capitals, digits and `/ . - & +`, as in `OCHA`, `EDG/STAIT`, `A.1`.
    /// A dash or other mark standing alone between them is no word.
    ///
    /// A run of more than six capitals reads as a shouted word (`REVITALISED WORKPLAN`), not an acronym, so an
    /// all-capitals heading left in English is still reported.
    private static func isAcronyms(_ text: String) -> Bool {
        text.split(whereSeparator: \.isWhitespace).allSatisfy { word in
            let core = word.drop { isEnclosing($0) }.reversed().drop { isEnclosing($0) }
            guard core.contains(where: { $0.isLetter || $0.isNumber }) else { return true }
            let shaped = core.allSatisfy { $0.isUppercase || $0.isNumber || "/.-&+_".contains($0) }
            let runs = core.split { !$0.isLetter }
            return shaped && runs.allSatisfy { $0.count <= 6 }
        }
    }

    /// Whether the text is one camel-case word — a capital inside a mixed-case word, as in `InterAction` or
    /// `ReliefWeb`: an organisation's or product's name, which every language writes as it is.
    private static func isCamelCaseName(_ text: String) -> Bool {
        let words = text.split(whereSeparator: \.isWhitespace)
        guard words.count == 1, let word = words.first, word.allSatisfy(\.isLetter), word.first?.isUppercase == true
        else { return false }
        return word.dropFirst().contains(where: \.isUppercase) && word.contains(where: \.isLowercase)
    }

    private static func isEnclosing(_ character: Character) -> Bool {
        "()[]{},;:\"'«»“”‘’".contains(character)
    }

    // MARK: - Whitespace

    static func whitespace(_ pair: QualityPair) -> String? {
        let leading = (
            source: Array(pair.source.prefix { $0.isWhitespace }),
            target: Array(pair.target.prefix { $0.isWhitespace })
        )
        let trailing = (
            source: Array(pair.source.reversed().prefix { $0.isWhitespace }.reversed()),
            target: Array(pair.target.reversed().prefix { $0.isWhitespace }.reversed())
        )
        var problems: [String] = []
        for (side, spaces) in [("leading", leading), ("trailing", trailing)]
        where spaces.source.map(kind) != spaces.target.map(kind) {
            problems.append(
                "\(side) whitespace differs: source has \(describe(spaces.source)), "
                    + "target has \(describe(spaces.target))")
        }
        return problems.isEmpty ? nil : problems.joined(separator: "; ")
    }

    /// Newlines, tabs and spaces differ in kind; one space and a no-break space do not.
    private static func kind(_ character: Character) -> String {
        character.isNewline ? "newline" : character == "\t" ? "tab" : "space"
    }

    /// `none`, or the runs of whitespace, e.g. `1 newline, 2 spaces`.
    private static func describe(_ whitespace: [Character]) -> String {
        var runs: [(kind: String, count: Int)] = []
        for kind in whitespace.map(kind) {
            if runs.last?.kind == kind { runs[runs.count - 1].count += 1 } else { runs.append((kind, 1)) }
        }
        guard !runs.isEmpty else { return "none" }
        return runs.map { "\($0.count) \($0.kind)\($0.count == 1 ? "" : "s")" }.joined(separator: ", ")
    }

    // MARK: - Bidi controls

    /// Every embedding or override (U+202A–U+202E) must be popped by U+202C and every isolate (U+2066–U+2068)
    /// by U+2069 within its paragraph; an isolate's pop also ends the embeddings opened inside it, which are
    /// counted as not closed.
    static func bidiControls(_ target: String) -> String? {
        enum Opening { case embedding, isolate }
        var open: [Opening] = []
        var unclosed = 0
        var strayPops = 0
        for scalar in target.unicodeScalars {
            switch scalar.value {
            case 0x202A, 0x202B, 0x202D, 0x202E: open.append(.embedding)
            case 0x2066...0x2068: open.append(.isolate)
            case 0x202C:
                if open.last == .embedding { open.removeLast() } else { strayPops += 1 }
            case 0x2069:
                if let isolate = open.lastIndex(of: .isolate) {
                    unclosed += open.count - isolate - 1
                    open.removeSubrange(isolate...)
                } else {
                    strayPops += 1
                }
            case 0x0A, 0x0D, 0x1C...0x1E, 0x85, 0x2029:
                // A paragraph separator ends every embedding and isolate.
                unclosed += open.count
                open.removeAll()
            default: break
            }
        }
        unclosed += open.count
        var problems: [String] = []
        if unclosed > 0 {
            problems.append("\(unclosed) embedding\(unclosed == 1 ? " or isolate" : "s or isolates") not closed")
        }
        if strayPops > 0 {
            problems.append("\(strayPops) pop\(strayPops == 1 ? "" : "s") (U+202C or U+2069) with nothing to close")
        }
        return problems.isEmpty ? nil : "unbalanced bidi controls: " + problems.joined(separator: ", ")
    }

    // MARK: - Control characters

    /// C0 and C1 controls other than newline and tab, and invisible characters that only ever get in the way:
    /// zero-width space, word joiner, byte order mark, soft hyphen, and a zero-width non-joiner outside Arabic
    /// script (where it legitimately shapes letters).
    static func controlCharacters(_ target: String) -> String? {
        let scalars = Array(target.unicodeScalars)
        var found: [(scalar: Unicode.Scalar, count: Int)] = []
        for (index, scalar) in scalars.enumerated() {
            let flagged =
                switch scalar.value {
                case 0x09, 0x0A: false
                case 0x0D: index + 1 >= scalars.count || scalars[index + 1] != "\n"
                case 0x00...0x1F, 0x7F...0x9F, 0x200B, 0x2060, 0xFEFF, 0x00AD: true
                case 0x200C:
                    !(index > 0 && ArabicScript.contains(scalars[index - 1]))
                        && !(index + 1 < scalars.count && ArabicScript.contains(scalars[index + 1]))
                default: false
                }
            guard flagged else { continue }
            if let seen = found.firstIndex(where: { $0.scalar == scalar }) {
                found[seen].count += 1
            } else {
                found.append((scalar, 1))
            }
        }
        guard !found.isEmpty else { return nil }
        let names = found.map { scalar, count in
            let hex = String(scalar.value, radix: 16, uppercase: true)
            let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            let name = scalar.properties.name ?? "control character"
            return "\(code) \(name)" + (count > 1 ? " (×\(count))" : "")
        }
        return "control or invisible characters: " + names.joined(separator: ", ")
    }

    // MARK: - Length

    /// Short sources are skipped: a two-word label can honestly become a six-word phrase.
    ///
    /// Translations spell acronyms out (`IASC WG` → "Grupo de Trabajo del IASC"; Arabic spells out nearly every
    /// one and keeps the acronym in brackets), so each acronym of the source also allows for the words it
    /// stands for, `acronymAllowance` characters, before a target counts as much longer.
    static func length(_ pair: QualityPair) -> String? {
        let source = pair.trimmedSource.count
        let target = pair.trimmedTarget.count
        guard source >= 20 else { return nil }
        let allowed = 3 * Double(source + acronymAllowance * acronyms(in: pair.trimmedSource))
        if Double(target) < 0.3 * Double(source) {
            return "target is much shorter than the source: \(target) characters against \(source) (under 0.3×)"
        }
        if Double(target) > allowed {
            return "target is much longer than the source: \(target) characters against \(source) (over 3×)"
        }
        return nil
    }

    /// The characters an acronym spelled out adds, about three words.
    static let acronymAllowance = 15

    /// How many words of `text` are acronyms — two to seven letters, at least two and mostly capitals, as in
    /// `IASC`, `WoSR`, `HCs` — counting each side of a slash (`AAP/PSEA`) on its own.
    static func acronyms(in text: String) -> Int {
        text.split { $0.isWhitespace || $0 == "/" }.count { word in
            let letters = word.filter(\.isLetter)
            let capitals = letters.count(where: \.isUppercase)
            return (2...7).contains(letters.count) && capitals >= 2 && 2 * capitals >= letters.count
        }
    }
}
