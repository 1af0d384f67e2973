import Foundation
import PlanSyncTranslation
import Testing

/// A DTD can declare entities that read local files or expand without bound (XXE), so XLIFF is read with none:
/// a file with a `<!DOCTYPE`, or with an entity no DTD declares, is refused rather than read with the entity
/// dropped.
@Suite("XLIFF without DTDs or entities")
struct XliffEntityTests {
    static func xliff(doctype: String = "", target: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        \(doctype)<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
        <file original="plan" source-language="en" target-language="fr" datatype="plaintext"><body>
        <trans-unit id="plan/A.1#title"><source>Before after</source><target>\(target)</target></trans-unit>
        </body></file></xliff>
        """
    }

    @Test(arguments: [
        (#"<!DOCTYPE xliff [<!ENTITY xxe "boom">]>"#, "line 2: a <!DOCTYPE> is not allowed"),
        ("\n" + #"<!DOCTYPE xliff [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>"#, "line 3: a <!DOCTYPE>"),
        ("<!DOCTYPE xliff>", "line 2: a <!DOCTYPE> is not allowed"),
        ("<!doctype xliff>", "line 2: a <!DOCTYPE> is not allowed"),
        ("", "line 4: unknown entity &xxe;"),
    ])
    func aDoctypeOrAnUnknownEntityIsRefused(doctype: String, message: String) {
        let data = Data(Self.xliff(doctype: doctype, target: "Avant &xxe; apres").utf8)
        #expect {
            _ = try XliffDocument.parse(data)
        } throws: { error in
            "\(error)".contains(message) && !"\(error)".contains("\n")
        }
    }

    @Test func aDoctypeInAUTF16FileIsRefused() throws {
        let text = Self.xliff(doctype: "<!DOCTYPE xliff>", target: "Avant")
            .replacingOccurrences(of: "UTF-8", with: "UTF-16")
        let data = try #require(text.data(using: .utf16))
        #expect(data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF]))
        let refusal = XliffError("line 2: a <!DOCTYPE> is not allowed in XLIFF (PlanSync reads no DTDs or entities)")
        #expect(throws: refusal) {
            _ = try XliffDocument.parse(data)
        }
    }

    @Test func predefinedAndCharacterReferencesAreRead() throws {
        let data = Data(Self.xliff(target: "A &amp; B &lt;C&gt; &quot;D&quot; &apos;E&apos; &#233;&#x20AC;").utf8)
        let unit = try #require(try XliffDocument.parse(data).files.first?.units.first)
        #expect(unit.target == "A & B <C> \"D\" 'E' é€")
    }
}
