/// What a manifest is loaded against, besides its text: Tollgate's environment (for variables),
/// where the server runs when the command line names it, and whether unset variables stop the load.
public struct ManifestLoadOptions: Sendable {
    /// Tollgate's environment, for `${NAME}` (see ``ManifestVariables``).
    public var environment: [String: String]
    /// The working directory of a server the command line names (`run --manifest FILE -- COMMAND`):
    /// relative paths in calls' arguments resolve against it, and the manifest's `servers` entries,
    /// which it replaces, need no variable set. Nil: the manifest's servers run, each in its `cwd`.
    public var serverDirectory: String?
    /// Whether a variable that is not set (and has no default) is only recorded in
    /// ``Manifest/unsetVariables`` (`check`: a warning) instead of being a problem (`run`: Tollgate
    /// does not start).
    public var allowsUnsetVariables = false
    /// The variables that hold Tollgate's own secrets: the manifest may neither refer to one nor
    /// give a server a variable of that name. The variable `budgets.storePassword` names is added.
    public var secrets = SecretEnvironment.variables
    /// Whether budget scopes are resolved to names (`run`); when not (`budget show`, `budget
    /// reset`, which read every scope), a scope that cannot be resolved is left unnamed.
    public var resolvesSpendScopes = true
    /// This process's run id, the `run` scope's name when `TOLLGATE_RUN` is not set.
    public var runID: String?

    public init(environment: [String: String] = FileIO.environment(), serverDirectory: String? = nil, allowsUnsetVariables: Bool = false) {
        self.environment = environment
        self.serverDirectory = serverDirectory
        self.allowsUnsetVariables = allowsUnsetVariables
    }
}
