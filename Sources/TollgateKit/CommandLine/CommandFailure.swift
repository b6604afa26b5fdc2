/// Why a command could not do what it was asked, in words a person acts on. Commands throw it
/// for their own conditions and for the domain errors they put in context (a ``FileError`` while
/// reading the log of `audit summary`, a ``LedgerError`` while opening the budget); a domain error
/// that says everything by itself (``SpawnError``) is thrown as it is. ``CommandExit`` gives each
/// its exit code.
struct CommandFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// What has to change for the command to work.
    enum Kind: Sendable, Equatable {
        /// The manifest, or what the command line asks of it: a usage or manifest error (exit 2).
        case unusable
        /// Something the command needed failed while it ran (exit 1).
        case failed
    }

    /// What has to change.
    var kind: Kind
    /// The message (may span several lines, one problem per line).
    var message: String

    var description: String { message }

    /// Something the command needed failed while it ran (exit 1).
    static func failed(_ message: String) -> CommandFailure {
        CommandFailure(kind: .failed, message: message)
    }

    /// The manifest, or what the command line asks of it, cannot be used (exit 2).
    static func unusable(_ message: String) -> CommandFailure {
        CommandFailure(kind: .unusable, message: message)
    }

    /// A manifest a command cannot use: every problem, their count, and what that means for the
    /// command (`consequence`).
    static func unusable(_ error: ManifestError, consequence: String) -> CommandFailure {
        let count = error.issues.count
        let file = error.issues.first?.file ?? "the manifest"
        return .unusable("\(error)\n\(file): \(count) problem\(count == 1 ? "" : "s"); \(consequence)")
    }
}
