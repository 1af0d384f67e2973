import Crypto
import Foundation

/// A replica's public signing key (Ed25519), as it travels: the 32 raw bytes in base64.
///
/// Each replica makes its key pair when it first needs it and registers the public key with its id on its next
/// sync (first use binds it, like the replica id to its token). From then on the server believes a push that
/// someone else carries — a bundle brought on a USB stick to a replica with a link — only when this key signed it.
public struct ReplicaKey: Hashable, Sendable, CustomStringConvertible {
    /// The key's 32 raw bytes.
    public let raw: Data

    /// Reads the base64 text of a raw key, or nil when it is not one.
    public init?(_ text: String) {
        guard let data = Data(base64Encoded: text), data.count == 32,
            (try? Curve25519.Signing.PublicKey(rawRepresentation: data)) != nil
        else { return nil }
        raw = data
    }

    public init(_ publicKey: Curve25519.Signing.PublicKey) {
        raw = publicKey.rawRepresentation
    }

    /// Whether `signature` is this key's signature of `message`.
    public func verifies(_ signature: Data, of message: Data) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else { return false }
        return key.isValidSignature(signature, for: message)
    }

    public var description: String { raw.base64EncodedString() }
}

/// A replica's private signing key (Ed25519), kept in its file: it signs the pushes the replica's bundles carry.
public struct ReplicaSigningKey: Sendable {
    /// The key's 32 raw bytes.
    public let raw: Data

    /// A new key.
    public init() {
        raw = Curve25519.Signing.PrivateKey().rawRepresentation
    }

    /// The key whose raw bytes `raw` are, or nil when they are not one.
    public init?(raw: Data) {
        guard (try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)) != nil else { return nil }
        self.raw = raw
    }

    public var publicKey: ReplicaKey {
        // `raw` was checked when the key was made or read.
        ReplicaKey(try! Curve25519.Signing.PrivateKey(rawRepresentation: raw).publicKey)
    }

    public func signature(of message: Data) throws -> Data {
        try Curve25519.Signing.PrivateKey(rawRepresentation: raw).signature(for: message)
    }
}

/// One replica's push, signed by that replica's key, that another replica may carry: what a bundle holds, and
/// what a carrier relays to the server (`POST /v1/relay`). The server runs it exactly as a push of the signer's
/// own, with the signer's token's role, once the signature verifies with the key registered for the signer.
public struct SignedSection: Hashable, Sendable {
    /// The replica whose push this is.
    public let signer: ReplicaID
    /// The push as the signer encoded it (`RecordJSON.encode(_:)` of a `PushRequest` from `signer`).
    public let payload: [UInt8]
    /// Ed25519 over `message`, in base64.
    public let signature: String

    public init(signer: ReplicaID, payload: [UInt8], signature: String) {
        self.signer = signer
        self.payload = payload
        self.signature = signature
    }

    /// Signs `payload` as `signer`'s, with its private key.
    public init(signing payload: [UInt8], as signer: ReplicaID, with key: ReplicaSigningKey) throws {
        self.signer = signer
        self.payload = payload
        signature = try key.signature(of: Self.message(signer: signer, payload: payload)).base64EncodedString()
    }

    /// What is signed: a label (so no other signature of the key can pass for a section), the signer's id and
    /// the payload.
    static func message(signer: ReplicaID, payload: [UInt8]) -> Data {
        var message = Data("plansync-section-v1\n\(signer.rawValue)\n".utf8)
        message.append(contentsOf: payload)
        return message
    }

    /// The push it carries, once the signature verifies with `key` (the one registered for the signer) and the
    /// push is the signer's own. Throws, saying which, when either fails.
    public func verifiedPush(key: ReplicaKey) throws(SectionRefusal) -> PushRequest {
        guard let signature = Data(base64Encoded: signature),
            key.verifies(signature, of: Self.message(signer: signer, payload: payload))
        else {
            throw SectionRefusal("the section of replica \(signer) does not verify with that replica's key")
        }
        let push: PushRequest
        do {
            push = try payload.withUnsafeBufferPointer { bytes throws(RecordJSONError) in
                try RecordJSON.decodePush(bytes)
            }
        } catch {
            throw SectionRefusal("the section of replica \(signer) is signed but not a push: \(error)")
        }
        guard push.replica == signer else {
            throw SectionRefusal("the section signed by \(signer) is a push of replica \(push.replica)")
        }
        return push
    }
}

/// Why a carried section was not believed, in one line.
public struct SectionRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
