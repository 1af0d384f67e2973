import PlanSyncCore

/// The one rule for raw HTML in a material's text: refused where the text enters, escaped where it goes out.
///
/// Material text comes from editors, translators and other replicas, and ends up in Markdown files that other
/// tools turn into HTML, so a `<script>` in it must never survive as markup. A `<` opens raw HTML when a letter,
/// `/`, `!` or `?` follows it (a tag, a closing tag, a comment or declaration, a processing instruction, as
/// CommonMark reads it); any other `<`, as in `a < b` or `<5 years`, is ordinary text.
public enum MaterialText {
    /// The fields whose text is a material's Markdown, by collection.
    public static let fields: [String: Set<String>] = ["material": ["title"], "segment": ["text"]]

    /// The first piece of raw HTML in `text` (e.g. `<script>`, cut at 30 characters), or nil when there is none.
    public static func rawHTML(in text: String) -> String? {
        guard let start = openings(in: text).first else { return nil }
        let tag = text[start...].prefix { $0 != ">" && !$0.isNewline }.prefix(30)
        return String(tag) + (text[start...].dropFirst(tag.count).first == ">" ? ">" : "")
    }

    /// `text` with every `<` that would open raw HTML written `&lt;`, which Markdown shows as `<`. An entity
    /// rather than `\<`, so no tag appears in the file even for a tool that does not read Markdown.
    public static func escapingRawHTML(_ text: String) -> String {
        let starts = openings(in: text)
        guard !starts.isEmpty else { return text }
        var result = ""
        var rest = text.startIndex
        for start in starts {
            result += text[rest..<start] + "&lt;"
            rest = text.index(after: start)
        }
        return result + text[rest...]
    }

    /// Refuses an edit that would write raw HTML into a material's title or a segment's text, in any language.
    public static func check(_ edit: Edit, record: String, collection: String) throws(MaterialWrites.Refusal) {
        let text: (field: String, value: String)? =
            switch edit {
            case .set(let field, let value), .resolve(let field, let value): (field, value)
            case .translate(let field, _, let value, _, _), .resolveTranslation(let field, _, let value, _):
                (field, value)
            case .add, .remove, .delete: nil
            }
        guard let text, fields[collection]?.contains(text.field) == true, let html = rawHTML(in: text.value) else {
            return
        }
        throw refusal(html, in: "\(record) \(text.field)")
    }

    /// Why `html` is refused, in words that say what to write instead.
    static func reason(_ html: String) -> String {
        "raw HTML (\(html)) is not allowed in materials; use Markdown such as **bold** or [text](https://…) instead"
    }

    /// The one-line refusal of `html` found in `place` (a record's field, the title).
    static func refusal(_ html: String, in place: String) -> MaterialWrites.Refusal {
        MaterialWrites.Refusal("\(place): " + reason(html))
    }

    /// Where each `<` that opens raw HTML is.
    private static func openings(in text: String) -> [String.Index] {
        var found: [String.Index] = []
        var index = text.startIndex
        while let start = text[index...].firstIndex(of: "<") {
            let next = text.index(after: start)
            if next < text.endIndex, let scalar = text[next].unicodeScalars.first, scalar.isASCII,
                scalar.properties.isAlphabetic || "/!?".unicodeScalars.contains(scalar)
            {
                found.append(start)
            }
            index = next
        }
        return found
    }
}
