/// A directory or program a manifest names that must exist where Tollgate runs: a server's `cwd`
/// and command, an approver command, a `pathWithin` directory, a sandbox and its paths. `tollgate check` warns about the
/// ones it cannot find (``ManifestPreflight``); `run` would fail on them, or deny every call.
public struct RequiredPath: Sendable, Equatable {
    /// What must be there.
    public enum Kind: Sendable, Equatable {
        /// A directory.
        case directory
        /// A file or a directory (a sandbox's path).
        case existing
        /// A sandbox this machine must be able to provide (`value` is the server's name).
        case sandbox(SandboxSpec)
        /// A program: a path (from `workingDirectory`) when it holds a slash, else looked up in
        /// `searchPath` (a PATH value; nil: the default `/usr/local/bin:/usr/bin:/bin`), whose
        /// relative entries start at `workingDirectory`, as the server's exec will do.
        case command(searchPath: String?, workingDirectory: String)
    }

    /// The path or command name, with variables expanded.
    public var value: String
    public var kind: Kind
    /// Where the manifest names it: the key path, line and column.
    public var key: String
    public var line: Int
    public var column: Int
}
