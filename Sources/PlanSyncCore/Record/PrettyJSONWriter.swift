/// JSON in the printed form of `WireJSON.pretty` — two-space indentation, `"key" : value`, slashes unescaped,
/// the escapes Foundation's encoder writes — built piece by piece, so that a large output (a dump of every
/// record) can be streamed in chunks instead of encoded whole through `Encodable`.
///
/// The caller writes an object's keys in sorted order (`sortedKeys(_:)` sorts them as the encoder does, by
/// their UTF-8 bytes); everything else about the layout is the writer's.
public struct PrettyJSONWriter: Sendable {
    /// What has been written and not yet taken.
    public private(set) var bytes: [UInt8] = []
    /// For each open container, whether it is an array and how many members it has so far.
    private var open: [(isArray: Bool, members: Int)] = []
    /// Levels of indentation around what this writer writes: a fragment's, to be placed that deep.
    private let depth: Int

    public init() { depth = 0 }

    /// A writer of one value to be placed `depth` containers deep in a larger text (`member(_:)`): values can
    /// then be written apart, on several threads, and put together in order.
    public init(depth: Int) { self.depth = depth }

    /// The bytes written so far, leaving the writer empty (its open containers stay open).
    public mutating func take() -> [UInt8] {
        defer { bytes.removeAll(keepingCapacity: true) }
        return bytes
    }

    public mutating func beginObject() {
        member()
        bytes.append(UInt8(ascii: "{"))
        bytes.append(UInt8(ascii: "\n"))
        open.append((false, 0))
    }

    public mutating func endObject() { close(UInt8(ascii: "}")) }

    public mutating func beginArray() {
        member()
        bytes.append(UInt8(ascii: "["))
        bytes.append(UInt8(ascii: "\n"))
        open.append((true, 0))
    }

    public mutating func endArray() { close(UInt8(ascii: "]")) }

    /// The next key of the open object; its value follows.
    public mutating func key(_ key: String) {
        separate()
        string(contents: key)
        bytes.append(contentsOf: Self.colon)
    }

    public mutating func string(_ value: String) {
        member()
        string(contents: value)
    }

    public mutating func bool(_ value: Bool) {
        member()
        bytes.append(contentsOf: value ? Self.trueBytes : Self.falseBytes)
    }

    public mutating func strings(_ values: [String]) {
        beginArray()
        for value in values { string(value) }
        endArray()
    }

    /// A value written apart by a writer of that depth, as the next member of the open array.
    public mutating func member(_ fragment: [UInt8]) {
        member()
        bytes.append(contentsOf: fragment)
    }

    /// A line end, as `WireJSON.pretty` ends its text.
    public mutating func newline() { bytes.append(UInt8(ascii: "\n")) }

    /// Keys in the order the encoder's `sortedKeys` writes them: by their UTF-8 bytes.
    public static func sortedKeys<Value>(_ dictionary: [String: Value]) -> [(key: String, value: Value)] {
        dictionary.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
    }

    // MARK: - Layout

    /// Before a value: inside an array it is the next member; after a key it needs nothing.
    private mutating func member() {
        if let last = open.last, last.isArray { separate() }
    }

    /// `,` and a line end before every member but the first, then the member's indentation.
    private mutating func separate() {
        guard !open.isEmpty else { return }
        if open[open.count - 1].members > 0 { bytes.append(contentsOf: Self.comma) }
        open[open.count - 1].members += 1
        indent(depth + open.count)
    }

    private mutating func close(_ bracket: UInt8) {
        open.removeLast()
        bytes.append(UInt8(ascii: "\n"))
        indent(depth + open.count)
        bytes.append(bracket)
    }

    private mutating func indent(_ level: Int) {
        // Byte by byte: an array literal here would be allocated for every line written.
        for _ in 0..<(2 * level) { bytes.append(UInt8(ascii: " ")) }
    }

    /// A quoted string with the encoder's escapes: `"` and `\`, `\b \f \n \r \t`, other controls as `\u00XX`.
    private mutating func string(contents text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            // Runs of plain bytes are copied whole; most texts have no byte to escape at all.
            var plain = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plain..<index]))
                escape(byte)
                plain = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plain...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func escape(_ byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        case 0x00..<0x20:
            bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
            bytes.append(Self.hex[Int(byte >> 4)])
            bytes.append(Self.hex[Int(byte & 0xF)])
        default: bytes.append(byte)
        }
    }

    private static let hex = Array("0123456789abcdef".utf8)
    private static let colon = Array(" : ".utf8)
    private static let comma = Array(",\n".utf8)
    private static let trueBytes = Array("true".utf8)
    private static let falseBytes = Array("false".utf8)
}
