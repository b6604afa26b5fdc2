/// Why the budget store could not be used for an operation: it could not be reached, it did not
/// answer in time, it closed the connection, it sent something that is not RESP2, or it refused
/// a command (a wrong password, a missing ACL permission, a script error). The connection is
/// dropped on every kind but ``Kind/refused`` (which leaves it in step).
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// The connection could not be made (refused, no such host or socket, connect timeout).
        case unreachable
        /// An operation outlasted its timeout (the connection is dropped, never reused).
        case timedOut
        /// The server closed the connection or a read or write failed.
        case closed
        /// The server's bytes are not RESP2, or not the reply expected.
        case malformed
        /// The server answered with an error (`-ERR`, `-NOPERM`, `-WRONGPASS`, `-NOSCRIPT` …).
        case refused
    }

    /// What went wrong.
    public var kind: Kind
    /// One sentence for people.
    public var message: String

    /// Creates an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
