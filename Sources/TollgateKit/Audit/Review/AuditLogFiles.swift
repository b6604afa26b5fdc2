#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The files of an audit log, oldest first: the rotated ones the writer keeps (`PATH.10` …
/// `PATH.1`, those that exist) and `PATH`.
public enum AuditLogFiles {
    /// The files of the log at `path`, oldest first (`path` last, whether it exists or not).
    public static func files(of path: String) -> [String] {
        rotations(of: path) + [path]
    }

    /// The rotated files of the log at `path` that exist, oldest first.
    public static func rotations(of path: String) -> [String] {
        stride(from: AuditLog.keptRotations, through: 1, by: -1).map { "\(path).\($0)" }.filter { identity(of: $0) != nil }
    }

    /// Files given on a command line, each preceded by its rotated files unless some of them are
    /// given too (then the files are as given), and none twice: `audit.log` reads
    /// `audit.log.2 audit.log.1 audit.log`, and so does `audit.log.2 audit.log.1 audit.log`.
    public static func expand(_ paths: [String]) -> [String] {
        var identities: [AuditFile.Identity] = []
        var result: [String] = []
        func add(_ path: String) {
            if let identity = identity(of: path) {
                if identities.contains(identity) { return }
                identities.append(identity)
            } else if result.contains(path) {
                return
            }
            result.append(path)
        }
        for path in paths {
            let rotated = rotations(of: path)
            if !rotated.contains(where: paths.contains) { rotated.forEach(add) }
            add(path)
        }
        return result
    }

    /// Whether the oldest of `files` is the last rotation the writer keeps: older records were
    /// dropped by rotation, so the chain legitimately starts later.
    static func startsAfterDroppedRotation(_ files: [String], of path: String) -> Bool {
        files.first == "\(path).\(AuditLog.keptRotations)"
    }

    /// The identity of the file `path` names, or nil when it names none.
    static func identity(of path: String) -> AuditFile.Identity? {
        (try? AuditFile.identity(of: path)) ?? nil
    }
}
