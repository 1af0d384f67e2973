/// Building blocks of the HTML report: escaping and bidirectional isolation.
///
/// Every piece of record text goes through `escape`; every run that may not share the page's direction (office
/// codes, ids, numbers, English inside Arabic) goes through `isolate`, so a Latin code at the end of an Arabic
/// sentence does not pull the punctuation around it to the wrong side.
enum HTMLText {
    /// Text safe in element content and in double- or single-quoted attributes.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    /// Escaped text with its line breaks kept.
    static func escapeLines(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { escape(String($0)) }
            .joined(separator: "<br>")
    }

    /// A run isolated from the text around it, its direction taken from its own first strong character.
    static func isolate(_ text: String, language: String? = nil, className: String? = nil) -> String {
        var attributes = ""
        if let language { attributes += " lang=\"\(escape(language))\"" }
        if let className { attributes += " class=\"\(escape(className))\"" }
        return "<bdi\(attributes)>\(escape(text))</bdi>"
    }

    /// A title or other translated text, isolated, with a note when it is English standing in for a missing
    /// translation or a translation of English that has since changed.
    static func localized(_ text: LocalizedText, strings: ReportStrings) -> String {
        let language = text.language == strings.language ? nil : text.language
        var html = isolate(text.text, language: language)
        if text.isFallback { html += " " + marker(strings[.untranslated]) }
        if text.isStale { html += " " + marker(strings[.stale]) }
        return html
    }

    /// A small note in the report language, such as "stale translation".
    static func marker(_ text: String) -> String {
        "<span class=\"marker\">(\(escape(text)))</span>"
    }

    /// A status as a coloured label.
    static func status(_ status: String?, strings: ReportStrings) -> String {
        let name = status.map { "status-" + $0 } ?? "status-unset"
        return "<span class=\"status \(escape(name))\">\(escape(strings.status(status)))</span>"
    }
}
