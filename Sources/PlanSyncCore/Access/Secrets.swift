/// Secrets (tokens, session ids, CSRF tokens): made from the system's random generator, compared in constant
/// time. The server's tokens and the pages' sessions both use these, so neither has a weaker copy.
public enum Secrets {
    /// `bytes` random bytes from the system's generator (256 bits by default), as lowercase hexadecimal.
    public static func randomHex(bytes: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in
            let byte = UInt8.random(in: .min ... .max, using: &generator)
            return byte < 16 ? "0" + String(byte, radix: 16) : String(byte, radix: 16)
        }.joined()
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
