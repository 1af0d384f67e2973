import Foundation

/// Secrets (tokens, session ids, CSRF tokens): made from the system's random generator, compared in constant
/// time. The server's tokens and the pages' sessions both use these, so neither has a weaker copy.
public enum Secrets {
    /// `bytes` random bytes from the system's generator (256 bits by default), as lowercase hexadecimal.
    public static func randomHex(bytes: Int = 32) -> String {
        Hex.encode(randomBytes(bytes))
    }

    /// `bytes` random bytes from the system's generator (256 bits by default) in base64url without padding
    /// (RFC 4648 §5): 43 characters for 256 bits, safe in a shell, a URL and a header. A token travels on
    /// every request, so its 21 characters fewer than hexadecimal count on a 2G link.
    public static func randomBase64URL(bytes: Int = 32) -> String {
        var text = Data(randomBytes(bytes)).base64EncodedString()
        text = text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    /// `count` bytes from the system's generator: every secret's randomness comes from here.
    private static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// Whether two secrets are equal, compared in a time that depends on their lengths only, so that timing
    /// tells nothing of how much of a guess was right.
    public static func equal(_ left: String, _ right: String) -> Bool {
        let (a, b) = (Array(left.utf8), Array(right.utf8))
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
