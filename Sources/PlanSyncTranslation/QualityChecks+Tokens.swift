/// A token a translation must carry over: `key` is what is compared, `text` how it was written.
struct CarriedToken: Hashable {
    let key: String
    let text: String
}

/// What one side of a pair carries that a translation must keep: URLs, e-mail addresses, placeholders and
/// numbers.
///
/// URLs are found first and addresses outside them, so neither is read twice. Digits inside a URL, an address
/// or a placeholder belong to that token and have their own check, so they are not read as numbers.
struct CarriedTokens {
    /// URLs as written, without the sentence punctuation that follows them.
    let urls: [String]
    let emails: [String]
    /// Placeholders and Markdown inline tokens, as written.
    let placeholders: [CarriedToken]
    let numbers: [CarriedToken]

    init(_ text: String, patterns: TokenPatterns) {
        let urlRanges = text.matches(of: patterns.url).map { Self.withoutTrailingPunctuation($0.range, in: text) }
        let emailRanges = text.matches(of: patterns.email).map(\.range).filter { email in
            !urlRanges.contains { $0.overlaps(email) }
        }
        let links = urlRanges + emailRanges
        let placeholderRanges = text.matches(of: patterns.placeholder).map(\.range).filter { range in
            // A `%20d` or a `{id}` inside a URL is part of the address; a code span or a link target holding a
            // URL is still a Markdown token.
            let opener = text[range.lowerBound]
            return (opener != "%" && opener != "{") || !links.contains { $0.overlaps(range) }
        }
        urls = urlRanges.map { String(text[$0]) }
        emails = emailRanges.map { String(text[$0]) }
        placeholders = placeholderRanges.map { CarriedToken(key: String(text[$0]), text: String(text[$0])) }
        numbers = NumberReading.numbers(in: Self.blanking(links + placeholderRanges, in: text))
    }

    // MARK: - Text

    /// The match without the punctuation that ends the sentence around it: `https://x.org/a).` is
    /// `https://x.org/a`, but a closing parenthesis the URL opened stays.
    private static func withoutTrailingPunctuation(
        _ range: Range<String.Index>, in text: String
    ) -> Range<String.Index> {
        var end = range.upperBound
        while end > range.lowerBound {
            let body = text[range.lowerBound..<end]
            let last = body[body.index(before: body.endIndex)]
            let strayClose =
                (last == ")" && body.count { $0 == "(" } < body.count { $0 == ")" })
                || (last == "]" && body.count { $0 == "[" } < body.count { $0 == "]" })
            guard ".,;:!?'\"*".contains(last) || strayClose else { break }
            end = body.index(before: body.endIndex)
        }
        return range.lowerBound..<end
    }

    /// The text with each range replaced by a space, so what was around it does not run together.
    private static func blanking(_ ranges: [Range<String.Index>], in text: String) -> String {
        var result = ""
        var position = text.startIndex
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) where range.upperBound > position {
            if range.lowerBound > position { result += text[position..<range.lowerBound] }
            result += " "
            position = range.upperBound
        }
        return result + text[position...]
    }
}

/// The patterns tokens are found with.
///
/// A `Regex` compiles on first use and is not `Sendable`, so it cannot be a shared constant; a run of checks
/// makes one set and uses it for every unit, rather than compiling the patterns again for each text.
struct TokenPatterns {
    let url = #/(?i)(?:https?://|www\.)[a-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+/#

    let email = #/[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}/#

    /// Code spans, link targets and `**` first, so a `{0}` inside a code span stays part of the span. A printf
    /// conversion takes no space flag, so the `% o` of "50 % of" is not one.
    let placeholder =
        #/
            `[^`\n]+`                   # a code span
            | \]\([^)\s]+\)             # a link target
            | \*\*                      # bold
            | \{\{[^{}]*\}\}            # {{x}}
            | \{[^{}\s]+\}              # {0}, {name}
            | %(?:[0-9]+\$)?[\-+0\#]*(?:[0-9]+|\*)?(?:\.(?:[0-9]+|\*))?(?:hh|h|ll|l|L|z|j|t|q)?
              [diouxXeEfFgGaAcspn@]     # %s, %1$d, %.2f
        /#
}

/// The message of a check that compares the tokens of the source with those of the target.
enum TokenDifference {
    /// Compares as multisets by key and names, as written, the tokens only one side has.
    static func message(_ title: String, source: [CarriedToken], target: [CarriedToken]) -> String? {
        message(title, onlyInSource: unmatched(source, in: target), onlyInTarget: unmatched(target, in: source))
    }

    /// Compares as sets: repeating a URL or an address is not a difference.
    static func message(_ title: String, distinct source: [String], _ target: [String]) -> String? {
        message(
            title, onlyInSource: distinctInOrder(source.filter { !target.contains($0) }),
            onlyInTarget: distinctInOrder(target.filter { !source.contains($0) }))
    }

    private static func message(_ title: String, onlyInSource: [String], onlyInTarget: [String]) -> String? {
        let source = onlyInSource.joined(separator: ", ")
        let target = onlyInTarget.joined(separator: ", ")
        switch (onlyInSource.isEmpty, onlyInTarget.isEmpty) {
        case (true, true): return nil
        case (false, true): return "\(title): source has \(source) not in target"
        case (true, false): return "\(title): target has \(target) not in source"
        case (false, false): return "\(title): source has \(source); target has \(target)"
        }
    }

    /// The tokens of `tokens` left once each token of `other` has cancelled one with the same key.
    private static func unmatched(_ tokens: [CarriedToken], in other: [CarriedToken]) -> [String] {
        var available: [String: Int] = [:]
        for token in other { available[token.key, default: 0] += 1 }
        var left: [String] = []
        for token in tokens {
            if let count = available[token.key], count > 0 {
                available[token.key] = count - 1
            } else {
                left.append(token.text)
            }
        }
        return left
    }

    private static func distinctInOrder(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }
}
