import Foundation
import PlanSyncContent
import PlanSyncCore
import Testing

/// The bundled plans keep the seeds' own wording: every meaningful line of each seed text appears in the
/// structured plan, so nothing was dropped when the Word tables were structured.
@Suite("Bundled plans against their seeds")
struct SeedCoverageTests {
    /// The seeds sit in the shared folder beside the repository (they are never read at run time).
    static let seeds = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/seeds")

    /// Table headers and the fragments of the rotated workstream labels the text export broke apart.
    static let layout: Set<String> = [
        "key activity", "related activities", "focal point", "time frame", "indicators", "comment", "actions",
        "examples", "priority?", "refreshed activities", "organisation commitments", "notes:", "psea", "on aap",
        "wor", "kstream3. ini", "ion on psea", "workstream3. inter-agency collaboration on psea",
    ]

    /// Lowercased words separated by single spaces, list dashes dropped ("-Guidance" and "- Guidance" alike).
    static func normalised(_ text: String) -> String {
        text.replacingOccurrences(of: "[bookmark: _GoBack]", with: "")
            .split(whereSeparator: \.isWhitespace)
            .map { $0.hasPrefix("-") && $0.count > 1 && $0.dropFirst().first!.isLetter ? $0.dropFirst() : $0 }
            .filter { $0 != "-" }
            .joined(separator: " ").lowercased()
    }

    /// Whether the words of `piece` appear in `text` in order as runs of at least three words (or the last few):
    /// a cell the seed ran together from several rows is found across the records it was split into.
    static func covered(_ piece: String, in text: String) -> Bool {
        let words = piece.split(separator: " ")
        var start = 0
        while start < words.count {
            var end = words.count
            while end > start, !text.contains(words[start..<end].joined(separator: " ")) { end -= 1 }
            guard end - start >= min(3, words.count - start) else { return false }
            start = end
        }
        return true
    }

    /// The meaningful pieces of a seed: its tab-separated cells, without bullets, list dashes, section prefixes
    /// ("A. ", "WORKSTREAM 1: ") and layout words.
    static func pieces(of seed: String) -> [String] {
        seed.split(whereSeparator: \.isNewline).flatMap { $0.split(separator: "\t") }.compactMap { cell in
            var text = normalised(String(cell))
            for bullet in ["· ", "·", "- ", "-"] where text.hasPrefix(bullet) { text.removeFirst(bullet.count) }
            // Section prefixes, and the activity code before its title (the code is a field of its own).
            if let range = text.range(of: #"^(workstream \d: |[a-d]\. |[a-d0-9]\.\d )"#, options: .regularExpression) {
                text.removeSubrange(range)
            }
            // Priorities are stored as their values.
            if text == "status quo" { text = "status-quo" }
            text = text.trimmingCharacters(in: .whitespaces)
            return text.count < 4 || layout.contains(text) ? nil : text
        }
    }

    static func plainText(of document: PlanDocument) -> String {
        let records = document.newRecords
        return normalised(records.flatMap { $0.values.map(\.value) }.joined(separator: "\n"))
    }

    @Test(arguments: [
        ("iasc-protection-policy-rollout-plan.txt", "iasc-protection-policy"),
        ("iasc-aap-psea-workplan-2017.txt", "iasc-aap-psea-workplan"),
    ])
    func everyMeaningfulLineOfTheSeedIsInThePlan(seed: String, plan: String) throws {
        let text = try String(contentsOf: Self.seeds.appendingPathComponent(seed), encoding: .utf8)
        let document = try #require(try BundledPlans.documents().first { $0.id == plan })
        let structured = Self.plainText(of: document)
        let pieces = Self.pieces(of: text)
        #expect(pieces.count > 50)
        // A focal-point cell listing several actors ("ERC, IASC Secretariat") became one list element per actor.
        let missing = pieces.filter { piece in
            !Self.covered(piece, in: structured)
                && !piece.components(separatedBy: ", ").allSatisfy { Self.covered($0, in: structured) }
        }
        #expect(missing.isEmpty, "not in the structured plan: \(missing)")
    }

    @Test func theBundledPlansHaveTheirSectionsAndActivities() throws {
        let documents = try BundledPlans.documents()
        let codes = Dictionary(uniqueKeysWithValues: documents.map { document in
            (document.id, document.sections.flatMap { $0.activities.map(\.code) })
        })
        #expect(codes["iasc-protection-policy"] == ["A.1", "A.2", "B.1", "C.1", "C.2", "C.3", "C.4", "D.1", "D.2", "D.3"])
        #expect(codes["iasc-aap-psea-workplan"] == ["1.1", "1.2", "1.3", "2.1", "2.2", "3.1", "3.2", "3.3", "3.4", "3.5"])
        let workstream3 = documents.first { $0.id == "iasc-aap-psea-workplan" }?.sections.last?.title
        #expect(workstream3 == "INTER-AGENCY COLLABORATION ON PSEA")
        for document in documents {
            for record in document.newRecords { try RecordID.validate(record.id) }
        }
    }

    @Test func everyBundledTranslationMatchesItsEnglish() throws {
        var clock = HybridLogicalClock(replica: ReplicaID("test"))
        let records = try BundledPlans.records(clock: &clock, now: 1)
        for record in records {
            for (language, fields) in record.translations {
                for field in fields.keys {
                    let view = try #require(record.translation(of: field, language: language))
                    #expect(!view.stale, "\(record.id) \(field) [\(language)] was translated from other English")
                    #expect(view.status == .translated)
                }
            }
        }
        let translations: Int = records.reduce(0) { $0 + $1.translations.values.reduce(0) { $0 + $1.count } }
        let units = 169 + 97  // both plans, and the three materials' segments and titles
        #expect(translations == 3 * units)
    }
}
