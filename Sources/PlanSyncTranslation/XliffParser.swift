import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

extension XliffDocument {
    /// Reads an XLIFF 1.2 file. Refuses, with one line naming the problem, anything that is not well-formed
    /// XML, not XLIFF 1.2, lacks a target language, repeats a unit id, or carries inline markup PlanSync
    /// cannot map back to plain text (`<g>` is read as its text; `<x/>`, `<ph>` and the like are refused).
    /// A DTD is refused whatever it holds, and so is any entity reference beyond XML's five and character
    /// references, so the parser never reads a file or expands an entity the translator did not type.
    public static func parse(_ data: Data) throws(XliffError) -> XliffDocument {
        if let line = doctypeLine(in: data) {
            throw XliffError("line \(line): a <!DOCTYPE> is not allowed in XLIFF (PlanSync reads no DTDs or entities)")
        }
        let reader = XliffReader()
        let parser = XMLParser(data: data)
        parser.delegate = reader
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        let parsed = parser.parse()
        if let problem = reader.problem { throw XliffError(problem) }
        guard parsed else {
            // The parser's own error is Foundation's text ("The operation could not be completed"): the place says more.
            throw XliffError("not well-formed XML (line \(parser.lineNumber), column \(parser.columnNumber))")
        }
        guard reader.sawRoot else { throw XliffError("not an XLIFF file: the root element is not <xliff>") }
        if let open = reader.stack.last { throw XliffError("not well-formed XML: <\(open)> is never closed") }
        var seen = Set<String>()
        for file in reader.files {
            for unit in file.units where !seen.insert(unit.id).inserted {
                throw XliffError("unit '\(unit.id)' appears twice")
            }
        }
        return XliffDocument(files: reader.files)
    }
}

extension XliffDocument {
    /// The line of the first `<!DOCTYPE`, if the file has one. Foundation's parser on Linux reports no DTD
    /// events and silently drops the entities a DTD declares, so the DTD is found here, before parsing, in
    /// the file's own encoding: UTF-16 when it starts with that byte-order mark, otherwise read as UTF-8 (which
    /// keeps the ASCII of a Latin-1 file).
    static func doctypeLine(in data: Data) -> Int? {
        let utf16 = data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF])
        let text = (utf16 ? String(data: data, encoding: .utf16) : nil) ?? String(decoding: data, as: UTF8.self)
        guard let range = text.range(of: "<!DOCTYPE", options: .caseInsensitive) else { return nil }
        return text[..<range.lowerBound].count(where: \.isNewline) + 1
    }
}

/// The SAX reader behind `XliffDocument.parse`. Used on one thread, by one parse.
private final class XliffReader: NSObject, XMLParserDelegate {
    static let namespace = "urn:oasis:names:tc:xliff:document:1.2"
    static let refusedInline: Set<String> = ["x", "bx", "ex", "ph", "bpt", "ept", "it", "sub"]

    var files: [XliffDocument.File] = []
    var problem: String?
    var sawRoot = false

    private(set) var stack: [String] = []
    private var unit: XliffDocument.Unit?
    private var text: String?
    private var textElement: String?

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        defer { stack.append(name) }
        if stack.isEmpty {
            guard name == "xliff" else { return fail(parser, "not an XLIFF file: the root element is <\(name)>") }
            guard attributes["version"] == "1.2" else {
                return fail(parser, "not XLIFF 1.2 (version \"\(attributes["version"] ?? "missing")\")")
            }
            guard namespaceURI == Self.namespace else {
                return fail(parser, "not XLIFF 1.2: the namespace is not \(Self.namespace)")
            }
            sawRoot = true
            return
        }
        // Alternative translations and segmented sources are a CAT tool's own business.
        if stack.contains("alt-trans") || stack.contains("seg-source") || name == "alt-trans" || name == "seg-source" {
            return
        }
        switch name {
        case "file":
            guard let target = attributes["target-language"], !target.isEmpty else {
                return fail(parser, "<file original=\"\(attributes["original"] ?? "?")\"> has no target-language")
            }
            files.append(
                .init(
                    original: attributes["original"] ?? "", sourceLanguage: attributes["source-language"] ?? "",
                    targetLanguage: target, units: []))
        case "trans-unit":
            guard let id = attributes["id"], !id.isEmpty else { return fail(parser, "a <trans-unit> has no id") }
            unit = .init(
                id: id, source: "", target: nil, state: nil, approved: attributes["approved"] == "yes", notes: [])
        case "source" where unit != nil, "note" where unit != nil:
            text = ""
            textElement = name
        case "target" where unit != nil:
            text = ""
            textElement = name
            unit?.state = attributes["state"]
        case "mrk", "g":
            break
        case _ where Self.refusedInline.contains(name) && text != nil:
            fail(parser, "unit '\(unit?.id ?? "?")' contains inline markup <\(name)> that PlanSync cannot import")
        default:
            break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if text != nil, !stack.contains("alt-trans") { text? += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        // The parser recovers from mismatched tags; PlanSync does not.
        guard stack.last == name else {
            return fail(parser, "not well-formed XML (line \(parser.lineNumber)): </\(name)> closes <\(stack.last ?? "nothing")>")
        }
        stack.removeLast()
        if stack.contains("alt-trans") || stack.contains("seg-source") || name == "alt-trans" || name == "seg-source" {
            return
        }
        switch name {
        case textElement:
            switch name {
            case "source": unit?.source = text ?? ""
            case "target": unit?.target = text ?? ""
            default: unit?.notes.append(text ?? "")
            }
            text = nil
            textElement = nil
        case "trans-unit":
            if let unit, !files.isEmpty { files[files.count - 1].units.append(unit) }
            unit = nil
        default:
            break
        }
    }

    /// Called for an entity reference no DTD declares (there is never a DTD): refused rather than dropped,
    /// which would lose the text silently.
    func parser(_ parser: XMLParser, resolveExternalEntityName name: String, systemID: String?) -> Data? {
        fail(parser, "line \(parser.lineNumber): unknown entity &\(name); (XLIFF text may use only &amp; &lt; &gt; "
            + "&quot; &apos; and character references such as &#233;)")
        return nil
    }

    private func fail(_ parser: XMLParser, _ message: String) {
        if problem == nil { problem = message }
        parser.abortParsing()
    }
}
