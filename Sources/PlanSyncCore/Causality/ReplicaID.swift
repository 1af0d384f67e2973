/// The stable identity of a replica: a field replica's SQLite file, or the server.
///
/// Replica ids are random, chosen once when a replica is created, and never reused. They order ties between
/// writes with equal hybrid timestamps, so they compare as plain strings.
public struct ReplicaID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    /// A new random replica id: 16 lowercase hexadecimal digits.
    public static func random() -> ReplicaID {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        return ReplicaID(String(high, radix: 16).leftPadded(to: 16))
    }

    /// A replica id read from outside: 1 to 64 ASCII letters, digits, `-`, `_` or `.`; nil otherwise.
    public init?(validating text: String) {
        let allowed = text.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D || byte == 0x5F || byte == 0x2E
        }
        guard allowed, !text.isEmpty, text.utf8.count <= 64 else { return nil }
        self.init(text)
    }

    public var description: String { rawValue }

    public static func < (lhs: ReplicaID, rhs: ReplicaID) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}

extension ReplicaID: Codable {
    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
