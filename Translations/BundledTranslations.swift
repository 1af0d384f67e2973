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
}
