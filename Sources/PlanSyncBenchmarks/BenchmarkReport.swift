/// Everything one run measured, with the machine and the date: printed as a table, or as one JSON object.
public struct BenchmarkReport: Codable, Sendable {
    public var date: String
    public var scale: BenchmarkScale
    public var build: String
    public var machine: Machine
    public var sizes: BenchmarkSizes
    public var scenarios: [ScenarioResult]
    /// Wall-clock seconds for the whole run, setup included.
    public var seconds: Double
}

/// The figures of one scenario, plus the raw numbers they were computed from.
public struct ScenarioResult: Codable, Sendable {
    public var name: String
    public var figures: [Figure]
    /// Counts and durations behind the figures (seconds, records, bytes…), for anyone checking the arithmetic.
    public var details: [String: Double]

    public init(name: String, figures: [Figure], details: [String: Double] = [:]) {
        self.name = name
        self.figures = figures
        self.details = details
    }
}

/// One measured figure, with the baseline run beside it when there is one, and the target it is held to.
public struct Figure: Codable, Sendable {
    public var measure: String
    public var value: Double
    public var unit: String
    public var baseline: Baseline?
    /// `value` against the baseline, in the sense `ratioMeaning` states (time or throughput).
    public var ratio: Double?
    public var ratioMeaning: String?
    public var target: String?
    /// Whether the target is met; nil when there is no target.
    public var met: Bool?
    public var note: String?

    public init(
        _ measure: String, _ value: Double, _ unit: String, baseline: Baseline? = nil, ratio: Double? = nil,
        ratioMeaning: String? = nil, target: String? = nil, met: Bool? = nil, note: String? = nil
    ) {
        self.measure = measure
        self.value = value
        self.unit = unit
        self.baseline = baseline
        self.ratio = ratio
        self.ratioMeaning = ratioMeaning
        self.target = target
        self.met = met
        self.note = note
    }
}

/// The same work done by something simpler or by another system, in the same run.
public struct Baseline: Codable, Sendable {
    public var name: String
    /// Nil when the baseline could not run; `unavailable` then says why.
    public var value: Double?
    public var unit: String
    public var unavailable: String?

    public init(_ name: String, _ value: Double?, _ unit: String, unavailable: String? = nil) {
        self.name = name
        self.value = value
        self.unit = unit
        self.unavailable = unavailable
    }
}
