import Foundation

/// The XLIFF 1.2 files of this folder, `LANG/PLAN.xlf`, as shipped with the product.
public enum BundledTranslations {
    /// Every bundled XLIFF file, sorted by path.
    public static func files() throws -> [URL] {
        var files: [URL] = []
        for language in ["ar", "fr", "es"] {
            guard let folder = Bundle.module.url(forResource: language, withExtension: nil) else { continue }
            files += try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension == "xlf" }
        }
        return files.sorted { $0.path < $1.path }
    }

    /// The glossary of `language` as shipped (`LANG/glossary.tsv`), or nil when there is none.
    public static func glossary(language: String) throws -> String? {
        guard let folder = Bundle.module.url(forResource: language, withExtension: nil) else { return nil }
        let file = folder.appendingPathComponent("glossary.tsv")
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        return try String(contentsOf: file, encoding: .utf8)
    }
}
