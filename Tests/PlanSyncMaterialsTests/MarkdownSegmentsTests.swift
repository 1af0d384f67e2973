import Foundation
import PlanSyncCore
import PlanSyncMaterials
import PlanSyncTestSupport
import Testing

@Suite("Markdown segments")
struct MarkdownSegmentsTests {
    static let document = """
        # Helpdesk note

        The **helpdesk** gives *remote* technical support.
        A second line of the same paragraph.

        ## Who does what

        - IMC shares information
        - OCHA's Visual Information Unit markets it

        1. Form a group
        2. Hold a webinar

        > Support on AAP and PSEA.

        | Action | Who |
        |---|---|
        | Revitalise the helpdesk | IMC, OCHA |
        | Webinar | InterAction |

        """

    @Test func aDocumentSplitsIntoOneSegmentPerBlockItemAndCell() throws {
        let segments = try MarkdownSegments.parse(Self.document)
        #expect(segments.map(\.block) == ["h1", "p", "h2", "ul", "ul", "ol", "ol", "quote", "th-row", "th", "td-row", "td", "td-row", "td"])
        #expect(segments[1].text == "The **helpdesk** gives *remote* technical support.\nA second line of the same paragraph.")
        #expect(segments[4].text == "OCHA's Visual Information Unit markets it")
        #expect(segments[10].text == "Revitalise the helpdesk")
    }

    @Test func renderingGivesTheDocumentBack() throws {
        let segments = try MarkdownSegments.parse(Self.document)
        #expect(MarkdownSegments.render(segments) == Self.document)
        #expect(try MarkdownSegments.parse(MarkdownSegments.render(segments)) == segments)
    }

    @Test func theBundledMaterialsRoundTrip() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/PlanSyncContent/Materials")
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "md" }
        #expect(files.count >= 3)
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            let segments = try MarkdownSegments.parse(text)
            #expect(!segments.isEmpty)
            #expect(MarkdownSegments.render(segments) == text, "\(file.lastPathComponent) does not round-trip")
        }
    }

    @Test(arguments: [
        ("```\ncode\n```\n", 1, "fenced code blocks"),
        ("Text\n\n    indented\n", 3, "indented code"),
        ("<div>x</div>\n", 1, "raw HTML"),
        ("| a | b |\n| c | d |\n", 2, "separator row"),
        ("| a | b |\n|---|---|\n| c |\n", 3, "1 cells where the header has 2"),
    ])
    func unsupportedMarkdownIsRefusedWithItsLine(text: String, line: Int, reason: String) {
        #expect {
            try MarkdownSegments.parse(text)
        } throws: { error in
            guard let error = error as? MarkdownError else { return false }
            return error.line == line && error.reason.contains(reason)
        }
    }
}

@Suite("Position keys")
struct PositionKeyTests {
    @Test func spreadKeysAreValidAndOrdered() {
        for count in [1, 2, 10, 61, 62, 500, 5_000] {
            let keys = PositionKey.spread(count)
            #expect(keys.count == count)
            #expect(keys.allSatisfy(PositionKey.isValid))
            #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 < $1 }, "\(count) keys out of order")
        }
    }

    @Test func thereIsAlwaysAKeyBetweenTwo() {
        var random = SeededGenerator(seed: 7)
        var keys = PositionKey.spread(3)
        for _ in 0..<2_000 {
            let index = Int.random(in: 0...keys.count, using: &random)
            let lower = index > 0 ? keys[index - 1] : nil
            let upper = index < keys.count ? keys[index] : nil
            let key = PositionKey.between(lower, upper)
            #expect(PositionKey.isValid(key), "\(key)")
            if let lower { #expect(lower < key) }
            if let upper { #expect(key < upper) }
            keys.insert(key, at: index)
        }
        #expect(keys.map(\.count).max()! < 40)
    }
}
