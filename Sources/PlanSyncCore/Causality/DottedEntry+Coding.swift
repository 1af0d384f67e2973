/// The compact wire form shared by every dotted entry: `"r"` replica, `"n"` counter, `"t"` wall milliseconds,
/// `"l"` logical counter. The timestamp's replica is always the dot's replica, so it is written once.
enum StampKey: String, CodingKey {
    case replica = "r", counter = "n", wall = "t", logical = "l"
}

extension KeyedDecodingContainer where K == StampKey {
    func decodeStamp() throws -> (Dot, HybridTimestamp) {
        let replica = try decode(ReplicaID.self, forKey: .replica)
        let counter = try decode(UInt64.self, forKey: .counter)
        guard counter > 0 else {
            throw DecodingError.dataCorruptedError(forKey: .counter, in: self, debugDescription: "counter must be ≥ 1")
        }
        let time = HybridTimestamp(
            wall: try decode(UInt64.self, forKey: .wall),
            logical: try decode(UInt32.self, forKey: .logical),
            replica: replica
        )
        return (Dot(replica, counter), time)
    }
}

extension KeyedEncodingContainer where K == StampKey {
    mutating func encodeStamp(_ dot: Dot, _ time: HybridTimestamp) throws {
        try encode(dot.replica, forKey: .replica)
        try encode(dot.counter, forKey: .counter)
        try encode(time.wall, forKey: .wall)
        try encode(time.logical, forKey: .logical)
    }
}

extension FieldCandidate {
    private enum Key: String, CodingKey { case value = "v", resolution = "resolved" }

    public init(from decoder: any Decoder) throws {
        (dot, time) = try decoder.container(keyedBy: StampKey.self).decodeStamp()
        let container = try decoder.container(keyedBy: Key.self)
        value = try container.decode(String.self, forKey: .value)
        resolution = try container.decodeIfPresent(Resolution.self, forKey: .resolution)
    }

    public func encode(to encoder: any Encoder) throws {
        var stamp = encoder.container(keyedBy: StampKey.self)
        try stamp.encodeStamp(dot, time)
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(value, forKey: .value)
        try container.encodeIfPresent(resolution, forKey: .resolution)
    }
}

extension TranslationCandidate {
    private enum Key: String, CodingKey {
        case text = "v", status = "status", source = "source", resolution = "resolved"
    }

    public init(from decoder: any Decoder) throws {
        (dot, time) = try decoder.container(keyedBy: StampKey.self).decodeStamp()
        let container = try decoder.container(keyedBy: Key.self)
        text = try container.decode(String.self, forKey: .text)
        status = try container.decode(TranslationStatus.self, forKey: .status)
        source = try container.decode(String.self, forKey: .source)
        resolution = try container.decodeIfPresent(Resolution.self, forKey: .resolution)
    }

    public func encode(to encoder: any Encoder) throws {
        var stamp = encoder.container(keyedBy: StampKey.self)
        try stamp.encodeStamp(dot, time)
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(text, forKey: .text)
        try container.encode(status, forKey: .status)
        try container.encode(source, forKey: .source)
        try container.encodeIfPresent(resolution, forKey: .resolution)
    }
}

extension Tombstone {
    private enum Key: String, CodingKey { case seen }

    public init(from decoder: any Decoder) throws {
        (dot, time) = try decoder.container(keyedBy: StampKey.self).decodeStamp()
        seen = try decoder.container(keyedBy: Key.self).decode(VersionVector.self, forKey: .seen)
    }

    public func encode(to encoder: any Encoder) throws {
        var stamp = encoder.container(keyedBy: StampKey.self)
        try stamp.encodeStamp(dot, time)
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(seen, forKey: .seen)
    }
}
