import PlanSyncCore
import PlanSyncMaterials
import Testing

@Suite("Aligning a new version with the stored segments")
struct AlignmentTests {
    static let version1 = """
        # FAQ

        ## What is the roll-out plan?

        It sets out how the IASC will make the Protection Policy known and applied.

        ## Who leads it?

        The Task Team leads the roll-out with the Global Protection Cluster.

        ## When does it end?

        The plan runs until the end of 2017.

        """

    /// A material as a replica would hold it after `add`, with numbered segment keys.
    static func material(_ markdown: String) throws -> (Material, [RecordState]) {
        var clock = HybridLogicalClock(replica: ReplicaID("central"))
        let records = try MaterialWrites.add(
            id: "faq", title: "FAQ", kind: "faq", body: try MarkdownSegments.parse(markdown), segmentKey: { String(format3($0)) }
        ).map { try $0.state(schema: .planSync) { Writer(time: try clock.tick(now: 1_000), author: "central") } }
        return (try #require(Material(id: "faq", in: records)), records)
    }

    @Test func anUnchangedDocumentChangesNothing() throws {
        let (material, _) = try Self.material(Self.version1)
        let update = try MaterialWrites.update(material, to: try MarkdownSegments.parse(Self.version1), segmentKey: { "new" })
        #expect(update.alignment.isUnchanged)
        #expect(update.create.isEmpty && update.edits.isEmpty)
    }

    @Test func aLightEditKeepsIdsEditsOneInsertsOneRemovesOne() throws {
        let (material, _) = try Self.material(Self.version1)
        let version2 = """
            # FAQ

            ## What is the roll-out plan?

            It sets out how the IASC will make the Protection Policy known, understood and applied.

            ## Who leads it?

            The Task Team leads the roll-out with the Global Protection Cluster.

            ## Who else takes part?

            The HCs and HCTs, with support from the Task Team.

            """
        var keys = 0
        let update = try MaterialWrites.update(material, to: try MarkdownSegments.parse(version2), segmentKey: {
            keys += 1
            return "n\(keys)"
        })
        let ids = material.segments.map(\.id)
        #expect(update.alignment.steps.prefix(4) == [
            .keep(id: ids[0]), .keep(id: ids[1]),
            .edit(id: ids[2], MarkdownSegment(block: "p", text: "It sets out how the IASC will make the Protection Policy known, understood and applied.")),
            .keep(id: ids[3]),
        ])
        #expect(update.alignment.removed == [ids[6]] || update.alignment.removed == [ids[5], ids[6]])
        #expect(update.edits.contains { $0.id == ids[2] && $0.edit == .set(field: "text", value: "It sets out how the IASC will make the Protection Policy known, understood and applied.") })
        #expect(!update.edits.contains { $0.id == ids[1] || $0.id == ids[3] || $0.id == ids[4] })
        #expect(update.create.count >= 1)
        // New segments sort where they stand in the document.
        let newPositions = update.create.map { record in record.values.first { $0.field == "position" }!.value }
        let before = material.segments[4].position
        #expect(newPositions.allSatisfy { $0 > before })
    }

    @Test func anInsertionBetweenTwoParagraphsTakesAKeyBetweenThem() throws {
        let (material, _) = try Self.material(Self.version1)
        var segments = try MarkdownSegments.parse(Self.version1)
        segments.insert(MarkdownSegment(block: "p", text: "A wholly new paragraph about monitoring."), at: 3)
        let update = try MaterialWrites.update(material, to: segments, segmentKey: { "inserted" })
        #expect(update.create.count == 1 && update.edits.isEmpty && update.alignment.removed.isEmpty)
        let position = try #require(update.create.first?.values.first { $0.field == "position" }?.value)
        #expect(material.segments[2].position < position && position < material.segments[3].position)
    }

    @Test func aParagraphEditedConcurrentlyIsMarkedInTranslationsNotInTheEnglishDocument() throws {
        let (_, records) = try Self.material(Self.version1)
        var left = records
        var right = records
        var a = HybridLogicalClock(replica: ReplicaID("amman"))
        var b = HybridLogicalClock(replica: ReplicaID("dakar"))
        try left[3].apply(.set(field: "text", value: "Amman's answer."), schema: .planSync, by: Writer(time: try a.tick(now: 5_000), author: "a"))
        try right[3].apply(.set(field: "text", value: "Dakar's answer."), schema: .planSync, by: Writer(time: try b.tick(now: 5_000), author: "b"))
        let joined = zip(left, right).map { $0.joined(with: $1) }
        let material = try #require(Material(id: "faq", in: joined))
        #expect(material.shown(in: nil).body.map(\.conflict) == [false, false, true, false, false, false, false])
        #expect(!material.markdown(in: nil).contains("["), "the English document carries no marks")
        let french = material.markdown(in: "fr")
        #expect(french.contains("[versions concurrentes] [en anglais] Dakar's answer."), "\(french)")
        #expect(french.contains("«\u{A0}versions concurrentes\u{A0}»"), "the legend explains the mark")
    }

    @Test func aTranslatedFileMustHaveTheSameSegments() throws {
        let (material, _) = try Self.material(Self.version1)
        var translated = try MarkdownSegments.parse(Self.version1)
        translated[0].text = "FAQ (fr)"
        let edits = try MaterialWrites.translate(material, language: "fr", body: translated, status: .translated)
        #expect(edits.count == 8, "seven segments, and the title the first heading stands for")
        translated.removeLast()
        #expect(throws: MaterialWrites.Refusal.self) {
            try MaterialWrites.translate(material, language: "fr", body: translated, status: .translated)
        }
        var reshaped = try MarkdownSegments.parse(Self.version1)
        reshaped[1].block = "p"
        #expect(throws: MaterialWrites.Refusal("segment 2: the English is a h2 block, the file has a p block")) {
            try MaterialWrites.translate(material, language: "fr", body: reshaped, status: .translated)
        }
    }
}

func format3(_ index: Int) -> String {
    let digits = String(index + 1)
    return String(repeating: "0", count: max(0, 3 - digits.count)) + digits
}
