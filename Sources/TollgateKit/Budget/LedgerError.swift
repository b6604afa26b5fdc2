#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Budget accounting that cannot be used: a ledger that cannot be opened, locked, read or
/// written, or was written by a newer Tollgate; or a store that cannot be reached or answers too
/// late. Budget accounting fails closed on it: the call is denied (`budget_unavailable`).
public struct LedgerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The ledger's path, or the store's URL.
    public var path: String
    /// What failed.
    public var message: String
    /// The manifest setting that names what failed: `budgets.ledger` or `budgets.store`.
    public var setting: String
    /// When it may work again (a store being reconnected to), if that is known.
    public var retryAfterMs: Int64?

    /// Creates an error.
    public init(path: String, message: String, setting: String = "budgets.ledger", retryAfterMs: Int64? = nil) {
        self.path = path
        self.message = message
        self.setting = setting
        self.retryAfterMs = retryAfterMs
    }

    /// An error from a failed system call, with the system's reason.
    static func system(_ path: String, _ operation: String, _ code: Int32 = errno) -> LedgerError {
        LedgerError(path: path, message: "\(operation): \(String(cString: strerror(code)))")
    }

    /// `ledger PATH: what failed`, or `store URL: what failed`.
    public var description: String { "\(setting.utf8.elementsEqual("budgets.store".utf8) ? "store" : "ledger") \(path): \(message)" }
}
