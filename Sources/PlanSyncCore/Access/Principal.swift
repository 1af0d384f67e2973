/// What a token allows.
public enum Role: String, Hashable, Sendable, Codable, CaseIterable {
    /// The central team: edits plans, resolves conflicts.
    case admin
    /// One field office: progress on the plans.
    case office
    /// One language: translations into that language.
    case translator
    /// Reads everything, writes nothing.
    case viewer
}

/// Which part of a record a write touches.
public enum WriteTarget: Hashable, Sendable, CustomStringConvertible {
    case field(String)
    case translation(field: String, language: String)
    /// Creating or deleting the record itself.
    case lifecycle

    public var description: String {
        switch self {
        case .field(let name): "field '\(name)'"
        case .translation(let field, let language): "the \(language) translation of '\(field)'"
        case .lifecycle: "the record itself (create or delete)"
        }
    }
}

/// The holder of a token: its name, role, and the office or language the role is bound to.
public struct Principal: Hashable, Sendable, Codable {
    public var name: String
    public var role: Role
    public var office: String?
    public var language: String?

    public init(name: String, role: Role, office: String? = nil, language: String? = nil) {
        self.name = name
        self.role = role
        self.office = office
        self.language = language
    }

    /// Why this principal may not make a write to a record of `collection`, or nil when it may. The one access
    /// rule: the client asks it before queuing an edit, the server before storing a push.
    public func refusal(of target: WriteTarget, in collection: String, schema: Schema = .planSync) -> String? {
        switch role {
        case .admin:
            return nil
        case .viewer:
            return "a viewer token writes nothing"
        case .office:
            if case .field(let name) = target,
                schema.collection(collection)?.field(name)?.audience == .progress
            {
                return nil
            }
            return "an office token writes only progress fields (status, progress), not \(target)"
        case .translator:
            if case .translation(_, let language) = target, language == self.language {
                return nil
            }
            return "a translator token for '\(self.language ?? "?")' writes only \(self.language ?? "?") translations, not \(target)"
        }
    }
}

extension RecordState {
    /// What changed from `old` to `self`, as write targets: the fields and translations whose entries differ,
    /// and the record's lifecycle when it is new or its tombstones differ.
    public func targetsChanged(from old: RecordState?) -> Set<WriteTarget> {
        var targets = Set<WriteTarget>()
        guard let old else {
            targets.insert(.lifecycle)
            return targets
        }
        for name in Set(fields.keys).union(old.fields.keys) where fields[name] != old.fields[name] {
            targets.insert(.field(name))
        }
        for language in Set(translations.keys).union(old.translations.keys) {
            let mine = translations[language] ?? [:]
            let theirs = old.translations[language] ?? [:]
            for name in Set(mine.keys).union(theirs.keys) where mine[name] != theirs[name] {
                targets.insert(.translation(field: name, language: language))
            }
        }
        if tombstones != old.tombstones { targets.insert(.lifecycle) }
        return targets
    }
}
