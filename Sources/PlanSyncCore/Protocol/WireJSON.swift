import Foundation

/// The one JSON form PlanSync writes, on the wire and in its SQLite files: compact, slashes unescaped (ids
/// read as they are), UTF-8.
public enum WireJSON {
    public static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    public static func string(_ value: some Encodable) throws -> String {
        String(decoding: try encode(value), as: UTF8.self)
    }
}

extension WireJSON {
    /// The form printed for people and scripts: sorted keys, indented, slashes unescaped, a final newline.
    /// Deterministic, so equal values print byte-identical text.
    public static func pretty(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }
}
