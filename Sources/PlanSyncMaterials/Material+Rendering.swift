/// The words a rendered material adds around its text, in the language it is rendered in.
public struct MaterialLabels: Sendable {
    /// Marks a segment shown in English because it has no translation yet.
    public let fallback: String
    /// Marks a translation made from an older English.
    public let stale: String
    /// Marks a passage with concurrent versions, of which the one shown is provisional.
    public let conflict: String
    /// The explanation of both marks, shown once under the title.
    public let legend: String

    public static func of(_ language: String?) -> MaterialLabels {
        switch language {
        case "ar":
            MaterialLabels(
                fallback: "بالإنجليزية", stale: "بحاجة إلى مراجعة", conflict: "نسخ متعارضة",
                legend: "«بالإنجليزية»: لم يُترجم هذا الجزء بعد فيُعرض نصه الإنجليزي. «بحاجة إلى مراجعة»: تغيّر النص الإنجليزي منذ ترجمة هذا الجزء. «نسخ متعارضة»: كُتبت لهذا الجزء نسخ متزامنة تنتظر من يختار بينها.")
        case "fr":
            MaterialLabels(
                fallback: "en anglais", stale: "à revoir", conflict: "versions concurrentes",
                // French puts a no-break space inside guillemets and before a colon.
                legend: "«\u{A0}en anglais\u{A0}»\u{A0}: passage pas encore traduit, affiché en anglais. "
                    + "«\u{A0}à revoir\u{A0}»\u{A0}: l’anglais a changé depuis la traduction de ce passage. "
                    + "«\u{A0}versions concurrentes\u{A0}»\u{A0}: plusieurs versions de ce passage attendent "
                    + "qu’on choisisse.")
        case "es":
            MaterialLabels(
                fallback: "en inglés", stale: "por revisar", conflict: "versiones en conflicto",
                legend: "«en inglés»: fragmento aún sin traducir, mostrado en inglés. «por revisar»: el inglés cambió desde que se tradujo este fragmento. «versiones en conflicto»: varias versiones de este fragmento esperan que alguien elija.")
        default:
            MaterialLabels(
                fallback: "English", stale: "needs review", conflict: "in conflict",
                legend: "\"in conflict\": concurrent versions of this passage wait for someone to choose; "
                    + "the one shown is provisional (plansync conflicts).")
        }
    }
}

extension Material {
    /// Whether the body opens with a level-1 heading, which then stands for the title.
    public var titled: Bool { segments.first?.block == "h1" }

    /// The material as Markdown in `language`: the title as a heading (unless the body opens with one), then
    /// the body. A segment without a translation is shown in English after the mark `[FALLBACK]`, a stale one
    /// after `[STALE]`, one with concurrent versions after `[CONFLICT]` (each in the language's words), and a
    /// legend under the title explains the marks when any is used. The English is the document as it is,
    /// without marks: it is what `material update` reads back (its HTML page does mark conflicts).
    public func markdown(in language: String?) -> String {
        let labels = MaterialLabels.of(language)
        let (title, body) = shown(in: language)
        // The English Markdown is the document itself, what `material update` reads back: it carries no marks.
        let english = language == nil || language == "en"
        func marked(_ shown: Shown) -> MarkdownSegment {
            var text = shown.text
            if shown.fallback { text = "[\(labels.fallback)] " + text }
            if shown.stale { text = "[\(labels.stale)] " + text }
            if shown.conflict, !english { text = "[\(labels.conflict)] " + text }
            return MarkdownSegment(block: shown.block, text: text)
        }
        // A body that opens with its own title heading is not given a second one.
        let headed = titled ? body : [title] + body
        var segments = headed.map(marked)
        if !english, headed.contains(where: { $0.fallback || $0.stale || $0.conflict }), !labels.legend.isEmpty {
            segments.insert(MarkdownSegment(block: "p", text: "*\(labels.legend)*"), at: 1)
        }
        return MarkdownSegments.render(segments)
    }
}
