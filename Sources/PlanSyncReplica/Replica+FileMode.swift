import Foundation

extension Replica {
    /// Makes the replica file, and its `-wal` and `-shm` files if they exist, readable and writable by its owner
    /// only (0600): it holds the server's bearer token. A missing file is created 0600 before SQLite opens it,
    /// and SQLite gives the side files it makes later the mode of the database file.
    ///
    /// The file is created with an explicit mode rather than under a narrowed umask, because the umask is the
    /// whole process's and other threads may be creating files meanwhile.
    static func restrictAccess(to path: String) throws {
        let descriptor = openCreatingPrivately(path)
        guard descriptor >= 0 else {
            throw ReplicaError("cannot create \(path): \(String(cString: strerror(errno)))", kind: .cannotCreate)
        }
        close(descriptor)
        for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
            guard chmod(file, 0o600) == 0 else {
                let reason = String(cString: strerror(errno))
                throw ReplicaError("cannot make \(file) private to its owner: \(reason)", kind: .cannotCreate)
            }
        }
    }
}

/// `open(2)`, creating a missing file 0600; out here because inside `Replica` its `open(at:)` hides the C function.
private func openCreatingPrivately(_ path: String) -> Int32 {
    open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
}
