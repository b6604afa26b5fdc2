/// Any error that ends a command, with the message a human reads and the exit code a script reads.
/// Every error Tollgate's commands raise is turned into one of these in one place (``TollgateCLI``).
public struct CommandLineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The documented exit codes.
    public enum ExitCode: Int32, Sendable {
        case success = 0
        /// A runtime failure.
        case failure = 1
        /// A usage or manifest error.
        case usage = 2
    }

    /// The message (may span several lines, one error per line).
    public var message: String
    /// The exit code.
    public var exitCode: Int32
    /// Whether the usage summary should follow the message.
    public var showsUsage: Bool

    public init(_ message: String, exitCode: Int32 = ExitCode.usage.rawValue, showsUsage: Bool = false) {
        self.message = message
        self.exitCode = exitCode
        self.showsUsage = showsUsage
    }

    /// A usage error: the message, then a hint to run `--help`.
    public static func usage(_ message: String) -> CommandLineError {
        CommandLineError(message, exitCode: ExitCode.usage.rawValue, showsUsage: true)
    }

    public var description: String { message }
}

extension CommandLineError {
    /// A manifest a command cannot use: every problem, their count, and what that means for the
    /// command (`consequence`); exit 2.
    public init(_ error: ManifestError, consequence: String) {
        let count = error.issues.count
        let file = error.issues.first?.file ?? "the manifest"
        self.init("\(error)\n\(file): \(count) problem\(count == 1 ? "" : "s"); \(consequence)", exitCode: ExitCode.usage.rawValue)
    }
}
