/// Why a sandbox cannot be set up as asked, before anything starts.
public struct SandboxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One sentence naming what is missing or wrong.
    public var reason: String

    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}
