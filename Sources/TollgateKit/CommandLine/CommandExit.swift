/// How `tollgate` ends when a command stops early: the one place that turns any error into the
/// message a person reads and the exit code a script reads (the table of `tollgate --help`).
/// A command that runs to its end returns its own status instead: 0, the few documented others
/// (an audit log that does not verify: 1; `audit replay` with changes: 3), or the server's.
struct CommandExit: Sendable, Equatable {
    /// The documented exit codes that are not a server's status.
    enum Code: Int32, Sendable {
        case success = 0
        /// A runtime failure.
        case failure = 1
        /// A usage or manifest error.
        case usage = 2
    }

    /// The message (may span several lines; empty when there is nothing to say).
    var message: String
    /// The exit code.
    var exitCode: Int32
    /// Whether a hint to run `--help` follows the message.
    var showsUsage = false

    /// The message and exit code of `error`.
    init(_ error: any Error) {
        switch error {
        case CommandLineError.usage(let message):
            self.init(message: message, exitCode: Code.usage.rawValue, showsUsage: true)
        case CommandLineError.helpRequested(let text):
            self.init(message: text, exitCode: Code.success.rawValue)
        case let failure as CommandFailure:
            self.init(message: failure.message, exitCode: (failure.kind == .unusable ? Code.usage : Code.failure).rawValue)
        case let error as ManifestError:
            self.init(CommandFailure.unusable(error, consequence: "Tollgate will not start with this manifest"))
        case let error as SpawnError:
            // As a shell says it: 127 when the command was not found, 126 when it cannot run.
            self.init(message: error.description, exitCode: error.exitCode)
        default:
            self.init(message: "\(error)", exitCode: Code.failure.rawValue)
        }
    }

    init(message: String, exitCode: Int32, showsUsage: Bool = false) {
        self.message = message
        self.exitCode = exitCode
        self.showsUsage = showsUsage
    }

    /// Says the message (on stdout when it is not a failure, such as the help asked for; on
    /// stderr otherwise) and returns the exit code.
    func report() -> Int32 {
        if exitCode == Code.success.rawValue {
            if !message.isEmpty { print(message) }
            return exitCode
        }
        Diagnostics.standardError.report(message, level: .error)
        if showsUsage { Diagnostics.standardError.report("run 'tollgate --help' for usage", level: .error) }
        return exitCode
    }
}
