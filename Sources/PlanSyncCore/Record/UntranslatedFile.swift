/// The guard on bulk translation imports (an XLIFF file, a translated material): a file whose targets are
/// mostly the English itself is an export sent back untranslated, or the English pasted in by mistake, and
/// importing it would overwrite real translations with English.
public enum UntranslatedFile {
    /// Why a file of (source, target) units is refused, or nil. Units with no target are left out: they change
    /// nothing. Refused when more than half of the rest have a target equal to their source.
    public static func refusal(_ units: [(source: String, target: String)], language: String) -> String? {
        let targeted = units.filter { !$0.target.allSatisfy(\.isWhitespace) }
        let copies = targeted.filter { $0.target.trimmed == $0.source.trimmed }.count
        guard !targeted.isEmpty, copies * 2 > targeted.count else { return nil }
        let what = copies == targeted.count ? "is the English itself" : "is mostly untranslated"
        return "the \(language) file \(what) (\(copies) of \(targeted.count) unit(s) are the same as their English); "
            + "nothing was changed (pass --force to import it anyway)"
    }
}
