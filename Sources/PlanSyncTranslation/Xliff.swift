import PlanSyncCore

/// An XLIFF 1.2 document as PlanSync reads and writes it: one `<file>` per plan, one `<trans-unit>` per
/// translatable field, plain text (no inline markup of its own).
public struct XliffDocument: Sendable, Hashable {
    public struct File: Sendable, Hashable {
        /// The plan id (`original`).
        public var original: String
        public var sourceLanguage: String
        public var targetLanguage: String
        public var units: [Unit]
    }

    public struct Unit: Sendable, Hashable {
        public var id: String
        public var source: String
        /// The target text, nil when the unit has no `<target>`.
        public var target: String?
        /// The target's `state` attribute.
        public var state: String?
        /// `approved="yes"` on the unit.
        public var approved: Bool
        /// `<note>` texts, in order.
        public var notes: [String]

        public init(id: String, source: String, target: String?, state: String?, approved: Bool, notes: [String]) {
            self.id = id
            self.source = source
            self.target = target
            self.state = state
            self.approved = approved
            self.notes = notes
        }
    }

    public var files: [File]

    /// The target language every file shares.
    public var targetLanguage: String? { files.first?.targetLanguage }
}

/// Why an XLIFF file was refused. The message names the file's problem (and the unit, when one is at fault).
public struct XliffError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// The XLIFF `state` PlanSync writes for a translation, and how it reads a state back.
public enum XliffState {
    /// The `state` (and whether `approved="yes"`) a unit is exported with.
    public static func export(_ view: TranslationView?) -> (state: String, approved: Bool) {
        guard let view, view.status != .untranslated else { return ("needs-translation", false) }
        if view.stale { return ("needs-review-translation", false) }
        switch view.status {
        case .untranslated: return ("needs-translation", false)
        case .draft: return ("new", false)
        case .translated: return ("translated", false)
        case .approved: return ("final", true)
        }
    }
}
