/// Which queued local writes of a record to drop.
public enum DiscardScope: Hashable, Sendable {
    /// Every queued write of the record.
    case record
    /// The writes of one field (not its translations).
    case field(String)
    /// The writes of one field's translation into one language.
    case translation(field: String, language: String)

    func contains(_ target: WriteTarget) -> Bool {
        switch (self, target) {
        case (.record, _): true
        case (.field(let name), .field(let other)): name == other
        case (.translation(let field, let language), .translation(let other, let otherLanguage)):
            field == other && language == otherLanguage
        default: false
        }
    }
}

/// One queued write a discard drops: what the target showed before it (`from`, as the server last had it) and
/// what it shows now (`to`). Nil where there was, or is, no value.
public struct DiscardedChange: Hashable, Sendable, Codable {
    public var target: String
    public var from: String?
    public var to: String?

    public init(target: String, from: String?, to: String?) {
        self.target = target
        self.from = from
        self.to = to
    }
}

extension RecordState {
    /// The targets (fields, translations, the record's life) whose entries differ from `base`, the copy last
    /// known from the server (nil for a record created here), with the value each showed then and shows now.
    public func changes(since base: RecordState?, in scope: DiscardScope = .record, schema: Schema = .planSync)
        -> [DiscardedChange]
    {
        changedTargets(since: base).filter(scope.contains).map { target in
            DiscardedChange(
                target: Self.label(target), from: base?.shown(target, schema: schema), to: shown(target, schema: schema)
            )
        }.sorted { $0.target < $1.target }
    }

    /// This record with the queued writes in `scope` dropped: their entries become `base`'s again.
    ///
    /// The context is kept, so the dropped writes' own dots stay covered: absent but covered means superseded,
    /// which is what dropping them means, and the next write mints a dot after them. Only when nothing queued
    /// is left does the record become `base` whole, context too: the caller must know that no push of the
    /// dropped writes was ever sent, so no other copy holds the dots the next writes mint again.
    /// Nil when the record was created here and is dropped whole: it goes.
    public func discarding(_ scope: DiscardScope, base: RecordState?) -> RecordState? {
        if base == nil, scope == .record { return nil }
        let old = base ?? RecordState(id: id, collection: collection)
        var result = self
        for target in changedTargets(since: base) where scope.contains(target) {
            switch target {
            case .field(let name):
                result.fields[name] = old.fields[name]
            case .translation(let field, let language):
                result.translations[language, default: [:]][field] = old.translations[language]?[field]
                if result.translations[language]?.isEmpty == true { result.translations[language] = nil }
            case .lifecycle:
                result.tombstones = old.tombstones
            }
        }
        guard let base, result.changedTargets(since: base).isEmpty else { return result }
        return base
    }

    /// The targets whose entries differ from `base`; for a record created here (no base), every field and
    /// translation it holds, and its life.
    func changedTargets(since base: RecordState?) -> Set<WriteTarget> {
        guard base == nil else { return targetsChanged(from: base) }
        return targetsChanged(from: RecordState(id: id, collection: collection)).union([.lifecycle])
    }

    /// The names of what differs from an older copy (nil: none, a record new here): fields, translations as
    /// `field [language]`, and `(record)` for its life. Sorted.
    public func changedTargetNames(since old: RecordState?) -> [String] {
        changedTargets(since: old).map(Self.label).sorted()
    }

    /// What a target shows a person: a field's value, a translation's text, whether the record is deleted.
    func shown(_ target: WriteTarget, schema: Schema) -> String? {
        switch target {
        case .field(let name): value(of: name, schema: schema)?.text
        case .translation(let field, let language): translation(of: field, language: language, schema: schema)?.text
        case .lifecycle: isDeleted ? "deleted" : "present"
        }
    }

    static func label(_ target: WriteTarget) -> String {
        switch target {
        case .field(let name): name
        case .translation(let field, let language): "\(field) [\(language)]"
        case .lifecycle: "(record)"
        }
    }
}
