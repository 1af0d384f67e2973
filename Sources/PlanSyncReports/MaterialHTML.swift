import PlanSyncCore
import PlanSyncMaterials

/// A supporting material as one self-contained HTML page in a language.
///
/// The HTML counterpart of `Material.markdown(in:)`: the title (or the body's own first heading) as the page's
/// heading, a legend when any passage is marked, then the body. A passage with no translation is shown in
/// English, marked, and set left to right even on an Arabic page; a stale one is marked. Inline CSS only, no
/// scripts, nothing fetched, printable.
public enum MaterialHTML {
    /// The page of `material` in `language` (nil or `en`: the English).
    public static func render(_ material: Material, language: String?) -> String {
        MaterialPage(material: material, language: language).document
    }
}

/// Writes the HTML page of one material.
struct MaterialPage {
    let material: Material
    let language: String
    let labels: MaterialLabels
    let title: Material.Shown
    let body: [Material.Shown]

    init(material: Material, language: String?) {
        self.material = material
        self.language = language ?? "en"
        self.labels = MaterialLabels.of(language)
        let (title, body) = material.shown(in: language)
        // A body that opens with its own title heading is not given a second one: that heading heads the page.
        if material.titled, let heading = body.first {
            (self.title, self.body) = (heading, Array(body.dropFirst()))
        } else {
            (self.title, self.body) = (title, body)
        }
    }

    var document: String {
        let direction = ReportStrings(language: language).isRightToLeft ? "rtl" : "ltr"
        return """
            <!DOCTYPE html>
            <html lang="\(HTMLText.escape(language))" dir="\(direction)">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTMLText.escape(title.text))</title>
            <style>\(MaterialStylesheet.css)</style>
            </head>
            <body>
            <main>
            <header>
            \(element("h1", title))
            \(meta)\(legend)
            </header>
            <article>
            \(blocks.joined(separator: "\n"))
            </article>
            </main>
            </body>
            </html>

            """
    }

    // MARK: - Header

    /// What kind of material it is and whom it is for.
    private var meta: String {
        let words = Self.words[language] ?? Self.words["en"] ?? [:]
        var parts: [String] = []
        if !material.kind.isEmpty {
            parts.append(HTMLText.isolate(words[material.kind] ?? material.kind))
        }
        if !material.audience.isEmpty {
            let audience =
                if language != "en", let translation = material.record.readableTranslation(of: "audience", language: language) {
                    HTMLText.isolate(translation.text)
                } else {
                    HTMLText.isolate(material.audience, language: language == "en" ? nil : "en")
                }
            parts.append("\(HTMLText.escape(words["audience"] ?? "Audience")): \(audience)")
        }
        return parts.isEmpty ? "" : "<p class=\"meta\">\(parts.joined(separator: " · "))</p>"
    }

    /// The explanation of the marks, once, when a mark is used (as in the Markdown).
    private var legend: String {
        guard !labels.legend.isEmpty, (body + [title]).contains(where: { $0.fallback || $0.stale || $0.conflict })
        else { return "" }
        return "\n<p class=\"legend\">\(HTMLText.escape(labels.legend))</p>"
    }

    // MARK: - Body

    /// The body grouped as `MarkdownSegments.render` groups it: consecutive items of one kind of list make one
    /// list, consecutive cells one table.
    private var blocks: [String] {
        var blocks: [String] = []
        var index = 0
        while index < body.count {
            let first = body[index]
            if first.block == "ul" || first.block == "ol" {
                var items: [String] = []
                while index < body.count, body[index].block == first.block {
                    items.append(element("li", body[index]))
                    index += 1
                }
                blocks.append("<\(first.block)>\n\(items.joined(separator: "\n"))\n</\(first.block)>")
            } else if Self.isCell(first) {
                var rows: [[Material.Shown]] = []
                while index < body.count, Self.isCell(body[index]) {
                    if rows.isEmpty || MarkdownSegment(block: body[index].block, text: "").startsRow { rows.append([]) }
                    rows[rows.count - 1].append(body[index])
                    index += 1
                }
                blocks.append(table(rows))
            } else {
                blocks.append(element(Self.tag(of: first.block), first))
                index += 1
            }
        }
        return blocks
    }

    /// A table whose first row is its header, as in the Markdown.
    private func table(_ rows: [[Material.Shown]]) -> String {
        func row(_ cells: [Material.Shown]) -> String {
            "<tr>" + cells.map { element($0.block.hasPrefix("th") ? "th" : "td", $0) }.joined() + "</tr>"
        }
        let head = rows.first.map { "<thead>\(row($0))</thead>\n" } ?? ""
        let rest = rows.dropFirst().map(row)
        let tbody = rest.isEmpty ? "" : "<tbody>\n\(rest.joined(separator: "\n"))\n</tbody>\n"
        return "<table>\n\(head)\(tbody)</table>"
    }

    /// One segment as an element: its id for linking, its language and direction when it fell back to English,
    /// and its marks before the text.
    private func element(_ tag: String, _ shown: Material.Shown) -> String {
        var attributes = " id=\"\(HTMLText.escape(shown.id))\""
        var marks = ""
        if shown.fallback {
            attributes += " lang=\"en\" dir=\"ltr\""
            // The mark is in the page's language, inside an English passage.
            marks +=
                "<bdi lang=\"\(HTMLText.escape(language))\"><span class=\"mark fallback\">"
                + "\(HTMLText.escape(labels.fallback))</span></bdi> "
        }
        if shown.stale {
            marks += "<span class=\"mark stale\">\(HTMLText.escape(labels.stale))</span> "
        }
        if shown.conflict {
            marks += "<span class=\"mark conflict\">\(HTMLText.escape(labels.conflict))</span> "
        }
        var content = marks + InlineMarkdown.html(shown.text)
        if tag == "blockquote" { content = "<p>\(content)</p>" }
        return "<\(tag)\(attributes)>\(content)</\(tag)>"
    }

    private static func isCell(_ shown: Material.Shown) -> Bool {
        MarkdownSegment(block: shown.block, text: "").isCell
    }

    /// The element of a block that stands alone; an unknown block is a paragraph.
    private static func tag(of block: String) -> String {
        switch block {
        case "h1", "h2", "h3", "h4", "h5", "h6": block
        case "quote": "blockquote"
        default: "p"
        }
    }

    // MARK: - Words

    /// The names of material kinds, and the audience label, in each language the product ships.
    private static let words: [String: [String: String]] = [
        "en": [
            "faq": "FAQ", "key-messages": "Key messages", "briefing": "Briefing note",
            "presentation-outline": "Presentation outline", "guidance": "Guidance", "audience": "Audience",
        ],
        "ar": [
            "faq": "أسئلة شائعة", "key-messages": "رسائل رئيسية", "briefing": "مذكرة إحاطة",
            "presentation-outline": "مخطط عرض تقديمي", "guidance": "إرشادات", "audience": "الجمهور المستهدف",
        ],
        "fr": [
            "faq": "FAQ", "key-messages": "Messages clés", "briefing": "Note d’information",
            "presentation-outline": "Plan de présentation", "guidance": "Orientations", "audience": "Public",
        ],
        "es": [
            "faq": "Preguntas frecuentes", "key-messages": "Mensajes clave", "briefing": "Nota informativa",
            "presentation-outline": "Esquema de presentación", "guidance": "Orientaciones",
            "audience": "Destinatarios",
        ],
    ]
}
