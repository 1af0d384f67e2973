/// A plan as the bundled JSON files describe it: sections (or workstreams), key activities (or actions) with
/// their codes, and the related activities under each.
public struct PlanDocument: Decodable, Sendable {
    public struct Section: Decodable, Sendable {
        public var code: String
        public var title: String
        public var activities: [Activity]
    }

    public struct Activity: Decodable, Sendable {
        public var code: String
        public var title: String
        public var related: [Work]
    }

    /// A row of the plan under a key activity: a related activity, its focal points, time frame, indicators,
    /// comment, or — in a workplan — its examples, priority and organisation commitments.
    public struct Work: Decodable, Sendable {
        public var title: String
        public var examples: String?
        public var priority: String?
        public var focalPoints: [String]?
        public var timeFrame: String?
        public var indicators: [String]?
        public var comment: String?
        public var commitments: [String]?

        enum CodingKeys: String, CodingKey {
            case title, examples, priority, indicators, comment, commitments
            case focalPoints = "focal_points", timeFrame = "time_frame"
        }
    }

    public var id: String
    public var title: String
    public var subtitle: String?
    public var notes: [String]?
    public var stakeholders: [String]?
    public var sections: [Section]
}
