import Foundation

extension CharacterSet {
    /// The space character alone: Markdown indentation and cell padding.
    static let spaces = CharacterSet(charactersIn: " ")
}
import PlanSyncCore

/// One translatable piece of a Markdown document: a heading, a paragraph, a quote, a list item or a table cell,
/// with its inline Markdown (`**bold**`, `*italic*`, code spans, links) kept as written.
public struct MarkdownSegment: Hashable, Sendable {
    /// One of `SegmentBlock.values`.
    public var block: String
    public var text: String

    public init(block: String, text: String) {
        self.block = block
        self.text = text
    }

    /// A table cell (`th`, `td`, or the first cell of a row).
    public var isCell: Bool { block.hasPrefix("th") || block.hasPrefix("td") }
    /// The first cell of a table row.
    public var startsRow: Bool { block.hasSuffix("-row") }
    var isListItem: Bool { block == "ul" || block == "ol" }
    var headingLevel: Int? { block.count == 2 && block.hasPrefix("h") ? Int(block.dropFirst()) : nil }
}

/// Why a Markdown file cannot be stored as a material, naming the line.
public struct MarkdownError: Error, CustomStringConvertible, Sendable, Equatable {
    public let line: Int
    public let reason: String

    public var description: String { "line \(line): \(reason)" }
}

/// Markdown documents split into segments and written back.
///
/// The subset materials use, on purpose small so a round trip is exact: ATX headings (`#`…`######`),
/// paragraphs (lines up to a blank line), block quotes (`> `), flat bullet (`- `, `* `, `+ `) and numbered
/// (`1. `) lists — one segment per item —, and pipe tables — one segment per cell. Fenced or indented code,
/// raw HTML (blocks and inline tags, `MaterialText`'s rule) and nested lists are refused with the line, rather
/// than stored in a shape that would not come back out or that would run in a reader's browser.
public enum MarkdownSegments {
    /// The segments of a document, in order. An empty document has none.
    public static func parse(_ markdown: String) throws(MarkdownError) -> [MarkdownSegment] {
        let lines = markdown.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init)
        // A tag never spans lines, so each line is checked on its own and the refusal can name it.
        for (index, line) in lines.enumerated() {
            if let html = MaterialText.rawHTML(in: line) {
                throw MarkdownError(line: index + 1, reason: MaterialText.reason(html))
            }
        }
        var segments: [MarkdownSegment] = []
        var index = 0
        func blank(_ line: String) -> Bool { line.allSatisfy(\.isWhitespace) }
        while index < lines.count {
            let line = lines[index]
            let number = index + 1
            if blank(line) {
                index += 1
                continue
            }
            let trimmed = line.drop { $0 == " " }
            if line.hasPrefix("    ") || line.hasPrefix("\t") {
                throw MarkdownError(line: number, reason: "indented code blocks and nested lists are not supported in materials")
            }
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                throw MarkdownError(line: number, reason: "fenced code blocks are not supported in materials")
            }
            if let heading = Self.heading(String(trimmed)) {
                segments.append(heading)
                index += 1
                continue
            }
            if trimmed.hasPrefix("|") {
                let table = try Self.table(lines, from: index)
                segments += table.segments
                index = table.next
                continue
            }
            if let (block, first) = Self.listItem(String(trimmed)) {
                // One segment per item; indented lines continue the item.
                var text = first
                index += 1
                while index < lines.count, !blank(lines[index]), Self.listItem(String(lines[index].drop { $0 == " " })) == nil {
                    let next = lines[index]
                    guard next.hasPrefix("  ") else { break }
                    text += "\n" + next.drop { $0 == " " }
                    index += 1
                }
                segments.append(MarkdownSegment(block: block, text: text))
                continue
            }
            if trimmed.hasPrefix(">") {
                var text: [String] = []
                while index < lines.count, lines[index].drop(while: { $0 == " " }).hasPrefix(">") {
                    var content = lines[index].drop { $0 == " " }.dropFirst()
                    if content.first == " " { content = content.dropFirst() }
                    text.append(String(content))
                    index += 1
                }
                segments.append(MarkdownSegment(block: "quote", text: text.joined(separator: "\n")))
                continue
            }
            if trimmed.hasPrefix("<") {
                throw MarkdownError(line: number, reason: "raw HTML is not supported in materials")
            }
            var text: [String] = []
            while index < lines.count, !blank(lines[index]) {
                let next = String(lines[index].drop { $0 == " " })
                if !text.isEmpty, Self.heading(next) != nil || Self.listItem(next) != nil || next.hasPrefix(">")
                    || next.hasPrefix("|")
                {
                    break
                }
                text.append(next.trimmingTrailingWhitespace)
                index += 1
            }
            segments.append(MarkdownSegment(block: "p", text: text.joined(separator: "\n")))
        }
        return segments
    }

    /// The document the segments make, in the subset `parse` reads: `parse(render(s)) == s`. Raw HTML that
    /// reached a segment anyway (a record pulled from a replica that does not check) is written escaped.
    public static func render(_ segments: [MarkdownSegment]) -> String {
        let segments = segments.map { MarkdownSegment(block: $0.block, text: MaterialText.escapingRawHTML($0.text)) }
        var blocks: [String] = []
        var index = 0
        while index < segments.count {
            let segment = segments[index]
            if let level = segment.headingLevel {
                blocks.append(String(repeating: "#", count: level) + " " + segment.text)
                index += 1
            } else if segment.isListItem {
                var items: [String] = []
                var number = 1
                while index < segments.count, segments[index].block == segment.block {
                    let marker = segment.block == "ol" ? "\(number). " : "- "
                    items.append(marker + segments[index].text.replacingOccurrences(of: "\n", with: "\n  "))
                    number += 1
                    index += 1
                }
                blocks.append(items.joined(separator: "\n"))
            } else if segment.isCell {
                var rows: [[MarkdownSegment]] = []
                while index < segments.count, segments[index].isCell {
                    if segments[index].startsRow || rows.isEmpty { rows.append([]) }
                    rows[rows.count - 1].append(segments[index])
                    index += 1
                }
                blocks.append(Self.table(rows))
            } else if segment.block == "quote" {
                blocks.append(segment.text.split(separator: "\n", omittingEmptySubsequences: false).map { "> " + $0 }
                    .joined(separator: "\n"))
                index += 1
            } else {
                blocks.append(segment.text)
                index += 1
            }
        }
        return blocks.joined(separator: "\n\n") + (blocks.isEmpty ? "" : "\n")
    }

    // MARK: - Blocks

    static func heading(_ line: String) -> MarkdownSegment? {
        let hashes = line.prefix { $0 == "#" }.count
        guard (1...6).contains(hashes) else { return nil }
        let rest = line.dropFirst(hashes)
        guard rest.isEmpty || rest.first == " " else { return nil }
        var text = String(rest).trimmingCharacters(in: .spaces)
        // A closing sequence of #s is not part of the heading.
        if text.hasSuffix("#") {
            let stripped = text.reversed().drop { $0 == "#" }
            if stripped.first == " " { text = String(stripped.reversed()).trimmingCharacters(in: .spaces) }
        }
        return MarkdownSegment(block: "h\(hashes)", text: text)
    }

    static func listItem(_ line: String) -> (block: String, text: String)? {
        for marker in ["- ", "* ", "+ "] where line.hasPrefix(marker) {
            return ("ul", String(line.dropFirst(2)))
        }
        let digits = line.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 9 else { return nil }
        let rest = line.dropFirst(digits.count)
        guard rest.hasPrefix(". ") || rest.hasPrefix(") ") else { return nil }
        return ("ol", String(rest.dropFirst(2)))
    }

    static func table(_ lines: [String], from start: Int) throws(MarkdownError) -> (segments: [MarkdownSegment], next: Int) {
        var rows: [[String]] = []
        var index = start
        while index < lines.count, lines[index].drop(while: { $0 == " " }).hasPrefix("|") {
            rows.append(Self.cells(lines[index]))
            index += 1
        }
        guard rows.count >= 2, rows[1].allSatisfy({ cell in
            !cell.isEmpty && cell.allSatisfy { $0 == "-" || $0 == ":" } && cell.contains("-")
        }) else {
            throw MarkdownError(line: start + 2, reason: "a table needs a separator row like |---|---| under its header")
        }
        let columns = rows[0].count
        var segments: [MarkdownSegment] = []
        for (number, row) in rows.enumerated() where number != 1 {
            guard row.count == columns else {
                throw MarkdownError(line: start + number + 1, reason: "\(row.count) cells where the header has \(columns)")
            }
            let kind = number == 0 ? "th" : "td"
            for (column, cell) in row.enumerated() {
                segments.append(MarkdownSegment(block: column == 0 ? kind + "-row" : kind, text: cell))
            }
        }
        return (segments, index)
    }

    /// The cells of a table line; `\|` is a pipe inside a cell.
    static func cells(_ line: String) -> [String] {
        var body = line.trimmingCharacters(in: .spaces)
        if body.hasPrefix("|") { body.removeFirst() }
        if body.hasSuffix("|") && !body.hasSuffix("\\|") { body.removeLast() }
        var cells: [String] = []
        var current = ""
        var escaped = false
        for character in body {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                current.append(character)
                escaped = true
            } else if character == "|" {
                cells.append(current.trimmingCharacters(in: .spaces))
                current = ""
            } else {
                current.append(character)
            }
        }
        cells.append(current.trimmingCharacters(in: .spaces))
        return cells
    }

    static func table(_ rows: [[MarkdownSegment]]) -> String {
        func line(_ cells: [String]) -> String { "| " + cells.joined(separator: " | ") + " |" }
        var out: [String] = []
        for (number, row) in rows.enumerated() {
            out.append(line(row.map { $0.text.replacingOccurrences(of: "\n", with: " ") }))
            if number == 0 { out.append("|" + String(repeating: "---|", count: row.count)) }
        }
        return out.joined(separator: "\n")
    }
}

extension String {
    var trimmingTrailingWhitespace: String {
        String(self.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
