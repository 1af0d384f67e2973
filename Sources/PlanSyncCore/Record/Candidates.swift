/// A value written to a field: one candidate of a register, or one element of an add-wins set.
public struct FieldCandidate: DottedEntry {
    public var dot: Dot
    public var time: HybridTimestamp
    public var value: String
    /// Set when this write settled a conflict.
    public var resolution: Resolution?

    public init(dot: Dot, time: HybridTimestamp, value: String, resolution: Resolution? = nil) {
        self.dot = dot
        self.time = time
        self.value = value
        self.resolution = resolution
    }
}

/// Who settled a conflict, when, and which candidates the chosen value superseded.
public struct Resolution: Hashable, Sendable, Codable {
    /// The name of the token that resolved it, as the server knows it.
    public var by: String
    /// Milliseconds since 1970 on the resolving replica's hybrid clock.
    public var at: UInt64
    /// The candidate values the resolution replaced, latest first.
    public var superseded: [String]

    public init(by: String, at: UInt64, superseded: [String]) {
        self.by = by
        self.at = at
        self.superseded = superseded
    }
}

/// The review state a translator gives a translation.
public enum TranslationStatus: String, Hashable, Sendable, Codable, CaseIterable {
    case untranslated, draft, translated, approved
}

/// One candidate translation of one field into one language.
public struct TranslationCandidate: DottedEntry {
    public var dot: Dot
    public var time: HybridTimestamp
    public var text: String
    public var status: TranslationStatus
    /// `SourceHash` of the source text the translator worked from: the translation is stale when the source
    /// no longer hashes to it.
    public var source: String
    /// Set when this translation settled concurrent translations of its language (`Edit.resolveTranslation`).
    public var resolution: Resolution?

    public init(
        dot: Dot, time: HybridTimestamp, text: String, status: TranslationStatus, source: String,
        resolution: Resolution? = nil
    ) {
        self.dot = dot
        self.time = time
        self.text = text
        self.status = status
        self.source = source
        self.resolution = resolution
    }
}

/// A delete of a whole record, with the context the deleting replica had: field writes that context has not
/// seen were concurrent with the delete, and bring the record back.
public struct Tombstone: DottedEntry {
    public var dot: Dot
    public var time: HybridTimestamp
    public var seen: VersionVector

    public init(dot: Dot, time: HybridTimestamp, seen: VersionVector) {
        self.dot = dot
        self.time = time
        self.seen = seen
    }
}
