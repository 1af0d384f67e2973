import PlanSyncCore
import Testing

/// Hexadecimal is one function: source hashes, token hashes, bundle digests and random secrets all use it.
@Suite("Hexadecimal")
struct HexTests {
    @Test func everyByteIsTwoLowercaseDigits() {
        #expect(Hex.encode([0x00, 0x0f, 0xa5, 0xff, 0x10]) == "000fa5ff10")
        #expect(Hex.encode([UInt8]()) == "")
        #expect(Hex.encode(0...255).count == 512)
    }

    /// The first 16 digits of SHA-256, as the known digests of "" and "abc" (FIPS 180-2) begin.
    @Test func aSourceHashIsTheStartOfTheTextsSHA256() {
        #expect(SourceHash.of("") == "e3b0c44298fc1c14")
        #expect(SourceHash.of("abc") == "ba7816bf8f01cfea")
    }

    @Test func randomSecretsHaveTheirLengthAndAlphabet() {
        let hex = Secrets.randomHex()
        #expect(hex.count == 64 && hex.allSatisfy { "0123456789abcdef".contains($0) })
        let url = Secrets.randomBase64URL()
        #expect(url.count == 43 && url.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_".contains($0)) })
        #expect(Secrets.randomBase64URL() != url)
    }
}
