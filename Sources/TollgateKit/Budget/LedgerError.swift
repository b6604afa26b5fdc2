#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A ledger that cannot be used: it cannot be opened, locked, read or written, or it was written
/// by a newer Tollgate. Budget accounting fails closed on it: the call is denied.
public struct LedgerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The ledger's path.
    public var path: String
    /// What failed.
    public var message: String

    /// Creates an error.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// An error from a failed system call, with the system's reason.
    static func system(_ path: String, _ operation: String, _ code: Int32 = errno) -> LedgerError {
        LedgerError(path: path, message: "\(operation): \(String(cString: strerror(code)))")
    }

    /// `ledger PATH: what failed`.
    public var description: String { "ledger \(path): \(message)" }
}
