import Foundation

/// The run's temporary folder: every data folder, replica file and script lives here, and it is removed when
/// the run ends, whether it succeeded or not.
struct Workspace: Sendable {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("plansync-bench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    /// A new subfolder.
    func folder(_ name: String) throws -> String {
        let folder = file(name)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
