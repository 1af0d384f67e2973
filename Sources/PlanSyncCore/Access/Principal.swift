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

    /// Why this principal may not make a write to `record`, or nil when it may. The one access rule: the client
    /// asks it before queuing an edit (of the record after the edit), the server before storing a push (of the
    /// stored record and of the joined one).
    public func refusal(of target: WriteTarget, on record: RecordState, schema: Schema = .planSync) -> String? {
        switch role {
        case .admin:
            return nil
        case .viewer:
            return refusalOfEveryWrite
        case .office:
            let collection = schema.collection(record.collection)
            if collection?.scope == .office {
                guard record.collection == "report" else {
                    return "only the central team writes \(record.collection) records"
                }
                let owner = record.value(of: "office", schema: schema)?.text
                guard owner == nil || owner == office else {
                    return "this report belongs to office \(owner ?? "?"); an office token for \(office ?? "?") writes only its own"
                }
                if case .translation = target { return "an office token does not write translations" }
                return nil
            }
            if case .field(let name) = target, collection?.field(name)?.audience == .progress {
                return nil
            }
            return "an office token writes only progress fields (status, progress) and its own reports, not \(target)"
        case .translator:
            if case .translation(_, let language) = target, language == self.language,
                schema.collection(record.collection)?.scope == .shared
            {
                return nil
            }
            return "a translator token for '\(self.language ?? "?")' writes only \(self.language ?? "?") translations of shared content, not \(target)"
        }
    }

    /// Why this principal writes nothing at all, whatever the record, or nil when some write is open to it: what
    /// a front end asks before it offers any form that writes.
    public var refusalOfEveryWrite: String? {
        switch role {
        case .viewer: "a viewer token writes nothing"
        case .admin, .office, .translator: nil
        }
    }

    /// Which records this principal receives: the one scope rule, which pulls apply (the server as a query)
    /// and pushes check (a record outside it is evicted from the pusher).
    public var reach: Reach {
        switch role {
        case .admin, .viewer: .everything
        case .office: .sharedAnd(office: office ?? "")
        case .translator: .sharedOnly
        }
    }

    /// Whether this principal receives a record owned by `office` (nil: a shared record).
    public func receives(office owner: String?) -> Bool {
        switch reach {
        case .everything: true
        case .sharedOnly: owner == nil
        case .sharedAnd(let office): owner == nil || owner == office
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

/// The records a principal receives, by their scope office (`RecordState.scopeOffice`).
public enum Reach: Hashable, Sendable {
    /// Every record.
    case everything
    /// Shared records only.
    case sharedOnly
    /// Shared records and those of one office.
    case sharedAnd(office: String)
}

extension RecordState {
    /// The office an office-scoped record belongs to (its `office` field), or nil for shared records.
    public func scopeOffice(schema: Schema = .planSync) -> String? {
        guard let field = schema.collection(collection)?.scopeField else { return nil }
        return value(of: field, schema: schema)?.text ?? ""
    }
}
