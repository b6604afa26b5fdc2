#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the audit log could not take a record. The gate must fail closed on any of these: the
/// call is refused (`audit_unavailable`) rather than made without a record.
public enum AuditError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What the log was doing when a system call failed.
    public enum Operation: String, Sendable {
        case open, lock, stat, read, write, sync, rotate, close
    }

    /// A system call failed with `errno` (for a short write, `ENOSPC`).
    case system(Operation, path: String, errno: Int32)
    /// The file's last complete line is not an audit record, so the chain cannot be continued.
    /// Move the file aside (and keep it as evidence); Tollgate starts a new one.
    case corruptTail(path: String)
    /// The log was closed.
    case closed(path: String)
    /// The lock file beside the log is not a Tollgate audit lock file of this build's layout.
    case foreignLock(path: String)

    public var description: String {
        switch self {
        case .system(let operation, let path, let errno):
            "audit log \(path): cannot \(operation.rawValue): \(String(cString: strerror(errno)))"
        case .corruptTail(let path):
            "audit log \(path): the last line is not an audit record, so the chain cannot continue; move the file aside"
        case .closed(let path):
            "audit log \(path): closed"
        case .foreignLock(let path):
            "audit lock file \(path) was not made by this build of Tollgate; stop every Tollgate writing the log, then remove it"
        }
    }
}
