import PlanSyncCore
import Testing

/// The guard on bulk translation imports: a file that is mostly the English is refused, a real one is not.
@Suite("Untranslated files")
struct UntranslatedFileTests {
    static let english = ["Protection", "Send the letter", "Brief the HCT", "OCHA"]

    @Test(arguments: [
        (["Protection", "Send the letter", "Brief the HCT", "OCHA"], "is the English itself"),
        (["Protección", "Send the letter", "Brief the HCT", "OCHA"], "is mostly untranslated"),
    ])
    func mostlyEnglishIsRefused(targets: [String], reason: String) {
        let refusal = UntranslatedFile.refusal(Array(zip(Self.english, targets)), language: "es")
        #expect(refusal?.contains(reason) == true, "\(refusal ?? "accepted")")
        #expect(refusal?.contains("--force") == true)
    }

    @Test(arguments: [
        ["Protección", "Enviar la carta", "Informar al EHP", "OCHA"],
        ["Protección", "Enviar la carta", "Brief the HCT", "OCHA"],
        ["", "", "", ""],
    ])
    func halfOrLessIsAccepted(targets: [String]) {
        #expect(UntranslatedFile.refusal(Array(zip(Self.english, targets)), language: "es") == nil)
    }
}
