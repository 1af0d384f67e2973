import Foundation
import PlanSyncCore
import PlanSyncTranslation
import Testing

@Suite("XLIFF export, parse and import planning")
struct XliffTests {
    static let id = "plan/A.1"
    var clock = HybridLogicalClock(replica: ReplicaID("a"))
    var record = RecordState(id: id, collection: "activity")

    init() throws {
        try write(.set(field: "title", value: "Brief the HCs & <HCTs>"))
        try write(.set(field: "comment", value: "Due in October"))
        try write(.set(field: "focal_points", value: "OCHA\nUNHCR"))
    }

    mutating func write(_ edit: Edit) throws {
        try record.apply(edit, schema: .planSync, by: Writer(time: try clock.tick(now: 1), author: "t"))
    }

    func unit(_ document: XliffDocument, _ field: String) throws -> XliffDocument.Unit {
        try #require(document.files.flatMap(\.units).first { $0.id == "\(Self.id)#\(field)" })
    }

    @Test mutating func exportStatesFollowTheTranslations() throws {
        try write(.translate(field: "title", language: "fr", text: "Informer les CH", status: .approved))
        try write(.translate(field: "comment", language: "fr", text: "Prévu en octobre", status: .translated))
        try write(.set(field: "comment", value: "Due in November"))
        let document = XliffDocument.export([record], language: "fr")
        #expect(document.files.map(\.original) == ["plan"])
        let title = try unit(document, "title")
        #expect(title.state == "final" && title.approved)
        let comment = try unit(document, "comment")
        #expect(comment.state == "needs-review-translation" && comment.target == "Prévu en octobre")
        #expect(comment.notes.contains { $0.hasPrefix("stale") })
        let focal = try unit(document, "focal_points")
        #expect(focal.state == "needs-translation" && focal.target == "OCHA\nUNHCR")
        #expect(focal.notes.contains("source-hash: \(SourceHash.of("OCHA\nUNHCR"))"))
    }

    @Test mutating func writtenXMLParsesBackToTheSameDocument() throws {
        try write(.translate(field: "comment", language: "ar", text: "موعده في تشرين الأول/أكتوبر", status: .draft))
        let document = XliffDocument.export([record], language: "ar")
        let parsed = try XliffDocument.parse(Data(document.xml.utf8))
        #expect(parsed == document)
        #expect(document.xml.contains("Brief the HCs &amp; &lt;HCTs&gt;"))
    }

    @Test mutating func untouchedUnitsAreNotEdits() throws {
        try write(.translate(field: "comment", language: "fr", text: "Prévu en octobre", status: .translated))
        let document = XliffDocument.export([record], language: "fr")
        let plan = try XliffImport.plan(document, records: [Self.id: record])
        #expect(plan.changes.isEmpty)
        #expect(plan.unchanged == 3)
    }

    @Test func aChangedTargetIsATranslationEvenWhenTheToolLeftTheState() throws {
        var document = XliffDocument.export([record], language: "es")
        document.files[0].units[0].target = "Informar a los CH y EHP"
        let plan = try XliffImport.plan(document, records: [Self.id: record])
        #expect(plan.changes.count == 1)
        let change = try #require(plan.changes.first)
        #expect(!change.stale)
        guard case .translate(let field, "es", "Informar a los CH y EHP", .translated, nil) = change.edit else {
            Issue.record("unexpected edit \(change.edit)")
            return
        }
        #expect(field == document.files[0].units[0].id.split(separator: "#").last.map(String.init))
    }

    @Test func aTargetMadeFromOldEnglishComesInStale() throws {
        var document = XliffDocument.export([record], language: "fr")
        let index = try #require(document.files[0].units.firstIndex { $0.id.hasSuffix("#comment") })
        document.files[0].units[index].source = "Due in September"
        document.files[0].units[index].target = "Prévu en septembre"
        var imported = record
        let plan = try XliffImport.plan(document, records: [Self.id: record])
        for change in plan.changes {
            try imported.apply(change.edit, schema: .planSync, by: Writer(time: HybridTimestamp(wall: 9, logical: 0, replica: ReplicaID("t")), author: "t"))
        }
        #expect(plan.changes.map(\.stale) == [true])
        let view = try #require(imported.translation(of: "comment", language: "fr"))
        #expect(view.stale && view.text == "Prévu en septembre")
    }

    @Test(arguments: [
        ("<html/>", "root element is <html>"),
        (#"<xliff version="2.0" xmlns="urn:oasis:names:tc:xliff:document:2.0"/>"#, "not XLIFF 1.2"),
        ("<xliff version=\"1.2\" xmlns=\"urn:oasis:names:tc:xliff:document:1.2\"><file original=\"p\" source-language=\"en\" datatype=\"plaintext\"><body/></file></xliff>", "no target-language"),
        ("<xliff version=\"1.2\" xmlns=\"urn:oasis:names:tc:xliff:document:1.2\"><body></xliff>", "not well-formed"),
        ("<xliff version=\"1.2\" xmlns=\"urn:oasis:names:tc:xliff:document:1.2\"><file original=\"p\" source-language=\"en\" target-language=\"fr\" datatype=\"plaintext\"><body><trans-unit id=\"plan/A.1#title\"><source>a <x id=\"1\"/></source><target>b</target></trans-unit></body></file></xliff>", "inline markup <x>"),
    ])
    func malformedOrForeignFilesAreRefused(xml: String, message: String) {
        #expect {
            _ = try XliffDocument.parse(Data(xml.utf8))
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test(arguments: [
        ("plan/Z.9#title", "no record 'plan/Z.9'"),
        ("plan/A.1#status", "'status' is not a translatable field"),
        ("title", "not a PlanSync unit"),
    ])
    func unitsOfUnknownContentRefuseTheWholeFile(id: String, message: String) throws {
        var document = XliffDocument.export([record], language: "fr")
        document.files[0].units[0].target = "changed"
        document.files[0].units.append(.init(id: id, source: "x", target: "y", state: nil, approved: false, notes: []))
        #expect {
            _ = try XliffImport.plan(document, records: [Self.id: record])
        } throws: { error in
            "\(error)".contains(message)
        }
    }
}
