import PlanSyncCore

/// Generated plans shaped like the bundled ones: key activities and their related activities, each with
/// 300–600 byte texts (examples, and a comment on about half), lists of focal points and indicators, and
/// Arabic, French and Spanish translations of the texts written by translators' replicas.
///
/// Records are built the way the server seeds its bundled plans (`NewRecord.state(schema:writer:)`, then
/// `.translate` edits), so they carry the causal metadata real records carry: dots from one editor and three
/// translators, and hybrid timestamps.
struct GeneratedPlans: Sendable {
    /// The plan the records belong to: its id is the first segment of every record id.
    let plan: String
    private var random: SplitMix64
    private var clock: HybridLogicalClock
    private var translators: [String: HybridLogicalClock]
    private var now: UInt64
    private var position = 0

    /// Related activities under each key activity: one record in nine is a key activity.
    static let relatedPerActivity = 8
    /// The translated fields, in every language.
    static let translatedFields = ["title", "examples", "comment"]

    init(plan: String, seed: UInt64, now: UInt64) {
        self.plan = plan
        random = SplitMix64(seed: seed)
        clock = HybridLogicalClock(replica: ReplicaID(Self.hex(seed ^ 0xED17)))
        translators = Dictionary(
            uniqueKeysWithValues: Schema.languages.enumerated().map { index, language in
                (language, HybridLogicalClock(replica: ReplicaID(Self.hex(seed &+ UInt64(index) &* 0x7F4A_7C15))))
            })
        self.now = now
    }

    /// The next `count` records, in plan order.
    mutating func next(_ count: Int) throws -> [RecordState] {
        try (0..<count).map { _ in try nextRecord() }
    }

    private mutating func nextRecord() throws -> RecordState {
        defer { position += 1 }
        now += 1
        let perGroup = Self.relatedPerActivity + 1
        let section = "\(plan)/\(["A", "B", "C", "D", "E"][(position / (perGroup * 20)) % 5])"
        let activityNumber = position / perGroup + 1
        let activityCode = "\(section.split(separator: "/").last!).\(activityNumber)"
        let activityID = "\(plan)/\(activityCode)"
        let english = Prose.english
        typealias Value = NewRecord.Value
        var values = [
            Value("plan", plan),
            Value("title", english.text(between: 60...140, using: &random)),
            Value("examples", english.text(between: 300...600, using: &random)),
            Value(
                "time_frame",
                ["Sep–Dec 2017", "Q4 2017", "ongoing", "by end of October"].randomElement(using: &random)!),
            // About half the activities carry a comment, as in the bundled plans.
            Value("comment", Bool.random(using: &random) ? english.text(between: 300...600, using: &random) : ""),
            Value("focal_points", Self.pick(Self.focalPoints, 1...3, using: &random)),
            Value(
                "indicators",
                (0..<Int.random(in: 1...2, using: &random)).map { _ in
                    english.text(between: 50...110, using: &random)
                }.joined(separator: "\n")),
        ]
        let record: NewRecord
        let index = position % perGroup
        if index == 0 {
            values += [
                Value("section", section), Value("code", activityCode), Value("position", String(activityNumber)),
                Value("due", "2017-12-\(String(format2: Int.random(in: 1...31, using: &random)))"),
            ]
            record = NewRecord(id: activityID, collection: "activity", values: values)
        } else {
            values += [
                Value("activity", activityID), Value("code", "\(activityCode)/\(index)"),
                Value("position", String(index)),
                Value("priority", ["yes", "no", "status-quo"].randomElement(using: &random)!),
                Value("organisations", Self.pick(Self.organisations, 1...2, using: &random)),
                Value("status", ProgressStatus.values.randomElement(using: &random)!),
            ]
            record = NewRecord(id: "\(activityID)/\(index)", collection: "related", values: values)
        }
        let now = self.now
        var state = try record.state(schema: .planSync) { Writer(time: try clock.tick(now: now), author: "bench-editor") }
        for language in Schema.languages {
            let prose = Prose.of(language: language)
            for field in Self.translatedFields {
                guard let source = state.fields[field]?.first?.value else { continue }
                let text = prose.text(bytes: max(40, source.utf8.count), using: &random)
                let writer = Writer(time: try translators[language]!.tick(now: now), author: "bench-\(language)")
                try state.apply(
                    .translate(field: field, language: language, text: text, status: .translated), schema: .planSync,
                    by: writer)
            }
        }
        return state
    }

    private static func pick(_ choices: [String], _ count: ClosedRange<Int>, using random: inout SplitMix64) -> String {
        Array(choices.shuffled(using: &random).prefix(Int.random(in: count, using: &random))).joined(separator: "\n")
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 16 - digits.count)) + digits
    }

    static let focalPoints = [
        "Protection Cluster coordinator", "PSEA network coordinator", "Resident Coordinator's Office",
        "UNHCR protection officer", "OCHA humanitarian affairs officer", "GBV sub-cluster lead", "Child Protection AoR",
    ]
    static let organisations = ["UNHCR", "OCHA", "UNICEF", "UNFPA", "WFP", "IOM", "NRC", "IRC", "ICVA", "InterAction"]
}

extension String {
    /// A number on two digits: 7 → "07".
    fileprivate init(format2 value: Int) {
        self = value < 10 ? "0\(value)" : "\(value)"
    }
}
