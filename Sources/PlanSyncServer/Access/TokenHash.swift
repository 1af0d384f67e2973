import Crypto
import PlanSyncCore

/// Access tokens: random secrets shown once, stored only as SHA-256 hashes, compared in constant time.
public enum TokenHash {
    /// A new secret: `ps_` and 43 base64url characters (256 random bits). Tokens made by earlier versions
    /// (`ps_` and 64 hexadecimal digits) stay valid: only a token's hash is stored and compared.
    public static func newToken() -> String {
        "ps_" + Secrets.randomBase64URL()
    }

    /// The stored form of a token.
    public static func hash(_ token: String) -> String {
        Hex.encode(SHA256.hash(data: Array(token.utf8)))
    }

    /// The holder of the token whose hash is `hash` among the live tokens, comparing every one in constant time
    /// rather than looking one up by value. A row whose role this version does not know holds no one.
    static func principal(matching hash: String, among live: [(hash: String, principal: Principal?)]) -> Principal? {
        var found: Principal?
        for row in live where Secrets.equal(row.hash, hash) {
            if let principal = row.principal { found = principal }
        }
        return found
    }
}
