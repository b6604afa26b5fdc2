/// The `pathWithin` keyword: the value must be a path that is, or lies under, one of the listed
/// directories once both are made canonical.
///
/// A path is made canonical like this: a relative path is taken relative to the context's working
/// directory; empty and `.` components are dropped; every component that exists is checked with
/// `lstat` and a symbolic link is replaced by its target (absolute or relative, at most 40 links,
/// as the kernel does); `..` then removes the last component of the path resolved so far, so
/// `link/..` means the parent of the link's target, as it does for the kernel. Components that do
/// not exist are kept as written, so a new file inside an allowed directory is allowed. The
/// directories are made canonical the same way when the schema is compiled. Containment compares
/// whole components: `/srv/data2` is not within `/srv/data`. Paths longer than 4096 bytes, holding
/// a NUL byte, or empty are rejected.
///
/// Limits: the check happens before the server acts, so a link created in between is not seen;
/// names are compared byte for byte, as on a case-sensitive file system.
struct PathWithin: Sendable {
    /// A directory as written and in canonical form.
    struct Directory: Sendable {
        var written: String
        var canonical: [UInt8]
    }

    /// The allowed directories.
    let directories: [Directory]
    /// The absolute directory relative paths start from.
    let workingDirectory: String

    /// The longest path accepted, in bytes (PATH_MAX on Linux).
    static let maxLength = 4096

    /// Compiles the keyword; the error names the problem (its path is filled in by the caller).
    init(_ written: [String], workingDirectory: String) throws(SchemaCompileError) {
        guard workingDirectory.utf8.first == UInt8(ascii: "/") else {
            throw SchemaCompileError(path: [], message: "the working directory \(workingDirectory.debugDescription) is not an absolute path")
        }
        guard !written.isEmpty else {
            throw SchemaCompileError(path: [], message: "must list at least one directory")
        }
        var directories: [Directory] = []
        for (index, path) in written.enumerated() {
            switch PathResolver.resolve(path, workingDirectory: workingDirectory) {
            case .success(let canonical):
                directories.append(Directory(written: path, canonical: canonical))
            case .failure(let problem):
                throw SchemaCompileError(path: [String(index)], message: "the directory \(problem.message)")
            }
        }
        self.directories = directories
        self.workingDirectory = workingDirectory
    }

    /// Nil if `path` is within one of the directories, else what the model should be told.
    func check(_ path: String) -> String? {
        switch PathResolver.resolve(path, workingDirectory: workingDirectory) {
        case .failure(let problem):
            return problem.message
        case .success(let canonical):
            for directory in directories where Self.isWithin(canonical, directory.canonical) { return nil }
            return "must be a path inside \(listing)"
        }
    }

    /// "/srv/data" or "one of /srv/data, /tmp".
    private var listing: String {
        directories.count == 1 ? directories[0].written : "one of " + directories.map(\.written).joined(separator: ", ")
    }

    /// Whether `path` equals `directory` or lies under it (both canonical, without trailing slash except "/").
    static func isWithin(_ path: [UInt8], _ directory: [UInt8]) -> Bool {
        if directory == [UInt8(ascii: "/")] { return true }
        guard path.count >= directory.count, path.starts(with: directory) else { return false }
        return path.count == directory.count || path[directory.count] == UInt8(ascii: "/")
    }
}
