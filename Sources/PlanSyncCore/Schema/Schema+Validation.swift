import Crypto

/// The rules every stored value obeys, checked where values enter: local edits and received pushes.
public enum Limits {
    /// The longest text a field or translation holds, in UTF-8 bytes.
    public static let maxTextBytes = 64 * 1024
    /// The longest record id, in UTF-8 bytes.
    public static let maxIDBytes = 200
}

/// Record ids: `plan`, `plan/CODE`, `plan/CODE/N` — segments of letters, digits, `.`, `-` and `_`,
/// separated by `/`, each starting with a letter or digit.
public enum RecordID {
    public static func validate(_ id: String) throws(RecordError) {
        guard !isValid(id) else { return }
        throw RecordError(
            record: id.isEmpty ? "(empty id)" : id,
            "invalid id: use letters, digits, '.', '-' or '_' in segments separated by '/'")
    }

    /// Whether `id` is a record id, read byte by byte: every allowed character is ASCII, so any byte of a
    /// longer UTF-8 sequence already makes it invalid. A server checks every id of every push.
    static func isValid(_ id: String) -> Bool {
        var count = 0
        // Whether the next byte starts a segment, which must be a letter or digit.
        var starting = true
        for byte in id.utf8 {
            count += 1
            if byte == UInt8(ascii: "/") {
                guard !starting else { return false }
                starting = true
            } else if byte.isASCIIAlphanumeric || (!starting && "._-".utf8.contains(byte)) {
                starting = false
            } else {
                return false
            }
        }
        return !starting && count <= Limits.maxIDBytes
    }

    /// The plan a record belongs to: the id's first segment.
    public static func plan(of id: String) -> String {
        String(id.prefix { $0 != "/" })
    }
}

/// Plan ids: the first segment of every record id of a plan, so they are stricter than record ids — lowercase
/// letters, digits and dashes, at most 64 bytes (docs/plan-import.md), so `PLAN/CODE/N` stays well under
/// `Limits.maxIDBytes` and one plan is never two ids that differ only in case.
public enum PlanID {
    /// The longest plan id, in UTF-8 bytes.
    public static let maxBytes = 64

    /// What is wrong with `id` as a new plan's id, in one line, or nil.
    public static func problem(_ id: String) -> String? {
        let valid =
            !id.isEmpty && id.utf8.count <= maxBytes && id.first != "-"
            && id.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
        guard !valid else { return nil }
        let shown = String(id.prefix(60).map { $0.isNewline ? " " : $0 })
        return "plan id '\(shown)' is not a valid id: use lowercase letters, digits and dashes (at most \(maxBytes)), "
            + "e.g. 'cash-coordination-2026'"
    }
}

extension UInt8 {
    var isASCIIAlphanumeric: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
    }
}

extension Unicode.Scalar {
    var isASCIIAlphanumeric: Bool { isASCII && UInt8(value).isASCIIAlphanumeric }
}

/// The fingerprint of a source text a translation was made from: the first 16 hex digits of its SHA-256.
public enum SourceHash {
    public static func of(_ text: String) -> String {
        var hasher = SHA256()
        var text = text
        text.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        // A counted buffer, so that the digits' room is set aside once: one is asked for per translated field.
        return hasher.finalize().withUnsafeBytes { Hex.encode(UnsafeRawBufferPointer(rebasing: $0.prefix(8))) }
    }
}

extension FieldSchema {
    /// Checks one value (or one element, for a list) against the field's kind.
    public func validate(_ value: String, record: String) throws(RecordError) {
        try Self.validateText(value, record: record, field: name)
        let problem: String? =
            switch kind {
            case .text: nil
            case .choice(let values):
                values.contains(value) ? nil : "must be one of \(values.joined(separator: ", "))"
            case .date:
                Self.isDate(value) ? nil : "must be a date written YYYY-MM-DD"
            case .integer:
                Int(value) != nil ? nil : "must be a whole number"
            case .reference:
                (try? RecordID.validate(value)) != nil ? nil : "must be a record id"
            case .period:
                Period(value) != nil ? nil : "must be a period written 2017, 2017-Q1 or 2017-03"
            case .office:
                Self.isOfficeCode(value) ? nil : "must be an office code (letters, digits, '-' or '_', up to 32)"
            case .list:
                value.contains(where: \.isNewline) || value.trimmed.isEmpty
                    ? "list elements are single non-empty lines" : nil
            }
        if let problem {
            throw RecordError(record: record, "\(name): '\(value.prefix(60))' \(problem)")
        }
    }

    static func validateText(_ text: String, record: String, field: String) throws(RecordError) {
        if text.utf8.count > Limits.maxTextBytes {
            throw RecordError(record: record, "\(field): text longer than \(Limits.maxTextBytes) bytes")
        }
    }

    static func isOfficeCode(_ value: String) -> Bool {
        !value.isEmpty && value.count <= 32
            && value.unicodeScalars.allSatisfy { $0.isASCIIAlphanumeric || $0 == "-" || $0 == "_" }
    }

    private static func isDate(_ value: String) -> Bool {
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return false }
        let days = [
            31, year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
        ]
        return (1...12).contains(month) && (1...days[month - 1]).contains(day)
    }
}

extension Schema {
    /// Checks a record received from another replica: known collection and fields, valid id and values,
    /// translations only of translatable fields into known languages, and every dot covered by the record's
    /// own context. A record that fails is refused whole.
    public func validate(_ record: RecordState) throws(RecordError) {
        try RecordID.validate(record.id)
        guard let collection = collection(record.collection) else {
            throw RecordError.unknownCollection(record.collection, record: record.id)
        }
        for (name, entries) in record.fields {
            let field = try collection.require(name, record: record.id)
            if field.kind != .list, entries.count > 1,
                Set(entries.map(\.time.replica)).count < entries.count
            {
                throw RecordError(record: record.id, "\(name): two concurrent candidates from one replica")
            }
            for entry in entries { try field.validate(entry.value, record: record.id) }
        }
        for (language, byField) in record.translations {
            guard Schema.storedLanguages.contains(language) else {
                throw RecordError(record: record.id, "unknown language '\(language)'")
            }
            for (name, entries) in byField {
                let field = try collection.require(name, record: record.id)
                guard field.translatable else {
                    throw RecordError(record: record.id, "field '\(name)' is not translatable")
                }
                for entry in entries { try FieldSchema.validateText(entry.text, record: record.id, field: name) }
            }
        }
        for dot in record.entryDots + record.tombstones.map(\.dot) where !record.context.covers(dot) {
            throw RecordError(record: record.id, "dot \(dot) is not covered by the record's context")
        }
        let dots = record.entryDots + record.tombstones.map(\.dot)
        if Set(dots).count != dots.count {
            throw RecordError(record: record.id, "a dot appears twice")
        }
    }

    /// Checks the stores a delta of `record` names: fields of its collection, translations of translatable
    /// fields into known languages, and every entry of the record in one of them. The record itself is checked
    /// by `validate(_:)`.
    public func validate(stores: Set<WriteTarget>, of record: RecordState) throws(RecordError) {
        guard let collection = collection(record.collection) else {
            throw RecordError.unknownCollection(record.collection, record: record.id)
        }
        for target in stores {
            switch target {
            case .field(let name):
                _ = try collection.require(name, record: record.id)
            case .translation(let name, let language):
                guard Schema.storedLanguages.contains(language) else {
                    throw RecordError(record: record.id, "unknown language '\(language)'")
                }
                guard try collection.require(name, record: record.id).translatable else {
                    throw RecordError(record: record.id, "field '\(name)' is not translatable")
                }
            case .lifecycle:
                continue
            }
        }
        // A delta holds entries of its carried stores only: any other entry would be dropped unread.
        guard RecordDelta(record, stores: stores).state == record else {
            throw RecordError(record: record.id, "the delta holds entries of stores its 'stores' does not name")
        }
    }
}
