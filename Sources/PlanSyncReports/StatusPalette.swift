/// The colour of each status, shared by the chart, its legend and the status labels in the tables.
///
/// Every fill keeps white text at a contrast of at least 4.5:1 (WCAG AA) and stands out from the white page by
/// more than 3:1. Labels in tables use a light tint of the fill with dark text, so the full-strength fills
/// appear only in the chart.
public enum StatusPalette {
    /// A fill and the colour of text drawn on it.
    public struct Swatch: Hashable, Sendable {
        /// `#rrggbb`.
        public let fill: String
        public let text: String
        /// A light tint of `fill`, the background of a status label in a table (dark text on it).
        public let tint: String
    }

    public static let swatches: [String: Swatch] = [
        "not-started": Swatch(fill: "#59636e", text: "#ffffff", tint: "#e4e6e8"),
        "on-track": Swatch(fill: "#1a7f37", text: "#ffffff", tint: "#daebdf"),
        "delayed": Swatch(fill: "#b35900", text: "#ffffff", tint: "#f3e4d6"),
        "completed": Swatch(fill: "#0969da", text: "#ffffff", tint: "#d8e7f9"),
        "cancelled": Swatch(fill: "#a8324a", text: "#ffffff", tint: "#f1dee2"),
    ]

    /// Reports with no status set.
    public static let unset = Swatch(fill: "#d8dee4", text: "#1f2328", tint: "#eef1f4")

    /// The swatch of a status; an unknown or missing status gets the "no status" swatch.
    public static func swatch(_ status: String?) -> Swatch {
        status.flatMap { swatches[$0] } ?? unset
    }
}
