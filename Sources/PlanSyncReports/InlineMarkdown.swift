/// The inline Markdown of one segment as HTML: `**strong**`, `*em*` and `_em_`, code spans, links and line
/// breaks; everything else is escaped text.
///
/// Segment text comes from translators and synced replicas, so it is untrusted: no raw HTML passes, and a link
/// is made only for `http:`, `https:` and `mailto:` addresses — any other `[text](address)` stays as written.
struct InlineMarkdown {
    /// The URL schemes a link may use; `javascript:` and `data:` addresses must never become links.
    static let linkSchemes = ["http://", "https://", "mailto:"]

    private let characters: [Character]

    /// The HTML of `text`, safe in element content.
    static func html(_ text: String) -> String {
        let markdown = InlineMarkdown(characters: Array(text))
        return markdown.render(markdown.characters.indices, links: true)
    }

    /// A piece of rendered HTML and the index just past the Markdown it came from.
    private typealias Piece = (html: String, end: Int)

    private func render(_ range: Range<Int>, links: Bool) -> String {
        var html = ""
        var index = range.lowerBound
        while index < range.upperBound {
            let character = characters[index]
            var piece: Piece?
            switch character {
            case "\\": piece = escaped(at: index, in: range)
            case "`": piece = codeSpan(at: index, in: range)
            case "[" where links: piece = link(at: index, in: range)
            case "*", "_": piece = emphasis(at: index, in: range, links: links)
            default: piece = character.isNewline ? ("<br>", index + 1) : nil
            }
            let next = piece ?? (HTMLText.escape(String(character)), index + 1)
            html += next.html
            index = next.end
        }
        return html
    }

    // MARK: - Constructs

    /// `\*` is a literal asterisk; a backslash before anything but ASCII punctuation is itself.
    private func escaped(at index: Int, in range: Range<Int>) -> Piece? {
        guard index + 1 < range.upperBound, let next = characters[index + 1].asciiValue,
            next.isASCIIPunctuation
        else { return nil }
        return (HTMLText.escape(String(characters[index + 1])), index + 2)
    }

    /// A code span closes at the next run of exactly as many backticks; an unclosed run is literal.
    private func codeSpan(at index: Int, in range: Range<Int>) -> Piece {
        let length = run(at: index, in: range)
        var search = index + length
        while search < range.upperBound {
            guard characters[search] == "`" else {
                search += 1
                continue
            }
            let closing = run(at: search, in: range)
            if closing == length {
                var code = characters[(index + length)..<search].map { $0.isNewline ? " " : $0 }
                // One space each side lets a span start or end with a backtick: `` `x` ``.
                if code.first == " ", code.last == " ", code.contains(where: { $0 != " " }) {
                    code = Array(code.dropFirst().dropLast())
                }
                return ("<code>\(HTMLText.escape(String(code)))</code>", search + length)
            }
            search += closing
        }
        return (HTMLText.escape(String(characters[index..<(index + length)])), index + length)
    }

    /// `[text](address)`: a link for a safe scheme; any other address leaves the whole construct as text.
    private func link(at index: Int, in range: Range<Int>) -> Piece? {
        guard let textEnd = closing(of: "[", "]", from: index, in: range), textEnd + 1 < range.upperBound,
            characters[textEnd + 1] == "(", let addressEnd = closing(of: "(", ")", from: textEnd + 1, in: range)
        else { return nil }
        let address = String(characters[(textEnd + 2)..<addressEnd]).trimmingSpaces
        let end = addressEnd + 1
        let lowercased = address.lowercased()
        guard Self.linkSchemes.contains(where: { lowercased.hasPrefix($0) }),
            !address.contains(where: { $0.isWhitespace || ($0.asciiValue ?? 32) < 32 })
        else {
            return (HTMLText.escape(String(characters[index..<end])), end)
        }
        return ("<a href=\"\(HTMLText.escape(address))\">\(render((index + 1)..<textEnd, links: false))</a>", end)
    }

    /// A run of one, two or three `*` or `_` that opens, up to the next run of the same length that closes:
    /// em, strong, or both. A run with no partner is literal.
    private func emphasis(at index: Int, in range: Range<Int>, links: Bool) -> Piece {
        let delimiter = characters[index]
        let length = run(at: index, in: range)
        let literal = (HTMLText.escape(String(characters[index..<(index + length)])), index + length)
        guard length <= 3, canOpen(at: index, length: length, in: range) else { return literal }
        var search = index + length
        while search < range.upperBound {
            let character = characters[search]
            if character == "\\" {
                search += 2
            } else if character == "`" {
                search = codeSpan(at: search, in: range).end
            } else if character == delimiter {
                let closing = run(at: search, in: range)
                if closing == length, search > index + length, canClose(at: search, length: length, in: range) {
                    let inner = render((index + length)..<search, links: links)
                    let html = ["<em>\(inner)</em>", "<strong>\(inner)</strong>", "<em><strong>\(inner)</strong></em>"]
                    return (html[length - 1], search + length)
                }
                search += closing
            } else {
                search += 1
            }
        }
        return literal
    }

    // MARK: - Scanning

    /// How many copies of the character at `index` follow one another from there.
    private func run(at index: Int, in range: Range<Int>) -> Int {
        var end = index
        while end < range.upperBound, characters[end] == characters[index] { end += 1 }
        return end - index
    }

    /// An opening run is followed by text; `_` also needs no letter before it, so `snake_case` stays as is.
    private func canOpen(at index: Int, length: Int, in range: Range<Int>) -> Bool {
        let after = index + length
        guard after < range.upperBound, !characters[after].isWhitespace else { return false }
        return characters[index] != "_" || index == 0 || !characters[index - 1].isWordCharacter
    }

    private func canClose(at index: Int, length: Int, in range: Range<Int>) -> Bool {
        guard !characters[index - 1].isWhitespace else { return false }
        let after = index + length
        return characters[index] != "_" || after >= characters.count || !characters[after].isWordCharacter
    }

    /// The index of the bracket that closes the one at `index`, skipping escaped and nested brackets.
    private func closing(of open: Character, _ close: Character, from index: Int, in range: Range<Int>) -> Int? {
        var depth = 0
        var search = index
        while search < range.upperBound {
            switch characters[search] {
            case "\\": search += 1
            case open: depth += 1
            case close:
                depth -= 1
                if depth == 0 { return search }
            default: break
            }
            search += 1
        }
        return nil
    }
}

extension Character {
    fileprivate var isWordCharacter: Bool { isLetter || isNumber }
}

extension UInt8 {
    fileprivate var isASCIIPunctuation: Bool {
        (33...47).contains(self) || (58...64).contains(self) || (91...96).contains(self) || (123...126).contains(self)
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
