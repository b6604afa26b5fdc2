/// A parsed command line.
enum Command: Sendable, Equatable {
    /// `tollgate run [options] -- COMMAND [ARG...]`
    case run(RunOptions)
    /// `tollgate check [--strict] FILE`: validate a manifest without running anything (`-`: stdin);
    /// `strict`: warnings fail too.
    case check(manifestPath: String, strict: Bool)
    /// `tollgate init -- COMMAND [ARG...]`: print a starter manifest for a server.
    case initialize(serverCommand: [String])
    /// `tollgate pin --manifest FILE [-- COMMAND [ARG...]]`: refresh the manifest's tool pins.
    case pin(manifestPath: String, serverCommand: [String])
    /// `tollgate audit verify|log|summary|replay`: check, read, summarize or replay audit logs.
    case audit(AuditAction, files: [String])
    /// `tollgate budget show [--manifest FILE] [--scope S] [--json]`: the budgets of a ledger or
    /// store and their forecast (only scope `S`'s with `--scope`).
    case budgetShow(manifestPath: String?, json: Bool, scope: String? = nil)
    /// `tollgate budget reset --scope S [--budget B] [--manifest FILE]`: forgets the spend of a
    /// store's scope (of one budget with `--budget`), recorded in the audit trail.
    case budgetReset(manifestPath: String?, scope: String, budget: String?)
    /// `tollgate help [COMMAND]`, `--help`, `-h`: the overview, or one command's help.
    case help(topic: String?)
    /// `tollgate wrap|unwrap [--client C] [--manifests DIR] [--dry-run] [--timeout S] [--force]`:
    /// put Tollgate in front of a client's servers, or take it away.
    case wrap(WrapOptions)
    /// `tollgate status [--client C]`: which entries are behind Tollgate, their manifest and mode.
    case status(client: String)
    /// `tollgate enforce MANIFEST`: print its would-be denials, then switch it to enforce mode.
    case enforce(manifestPath: String)
    /// `tollgate doctor [--manifest FILE]`: what this machine offers sandboxes, and whether the
    /// manifest's can be set up.
    case doctor(manifestPath: String?)
    /// `tollgate --version`, `-V`
    case version
    /// `tollgate completions bash|zsh|fish` (not in the overview; scripts/install uses it).
    case completions(ShellCompletion.Shell)
    /// `tollgate man`: the man page's roff (not in the overview; scripts/install uses it).
    case manPage
}

/// The options of `tollgate run`.
struct RunOptions: Sendable, Equatable {
    /// The manifest file, if any.
    var manifestPath: String?
    /// The server command and its arguments (empty when the manifest names the server).
    var serverCommand: [String] = []
    /// The largest message, in bytes, relayed whole.
    var maxMessageBytes = LineFramer.defaultMaxLineBytes
    /// Resource limits for the server (flags for the unmanifested case).
    var limits = ResourceLimits()
    /// Whether the manifest is reloaded when its file changes (`--watch`; SIGHUP always reloads).
    var watchesManifest = false
    /// The mode that replaces the manifest's `policy.mode` (`--monitor`, `--enforce`), if any.
    var mode: Manifest.Mode?
    /// How much Tollgate writes about itself on stderr (`--log-level`, `--quiet`).
    var logLevel = LogLevel.info
    /// The sandbox of the command after `--` (`--sandbox PRESET`, `--read`, `--write`,
    /// `--execute`, `--network`, `--allow-host`, `--sandbox-optional`; paths as given), if any.
    var sandbox: SandboxSpec?
    /// The agent's name (`--agent`; else `TOLLGATE_AGENT`): its budget scope and audit records.
    var agent: String?
    /// The workflow's id (`--workflow`; else `TOLLGATE_WORKFLOW`): its budget scope and audit records.
    var workflow: String?

    init() {}
}

/// The options of `tollgate wrap` and `tollgate unwrap`.
struct WrapOptions: Sendable, Equatable {
    /// `claude-code`, `claude-desktop`, or a configuration file's path.
    var client = "claude-code"
    /// Where the manifests go (`--manifests DIR`), if not the default of each file.
    var manifestDirectory: String?
    /// Print the change of each file; start nothing, write nothing.
    var dryRun = false
    /// How long `init` may take for each request to a server, in seconds.
    var timeoutSeconds = 20
    /// Wrap a server that fails `init` too, under a manifest without tools.
    var force = false
    /// `unwrap`: restore the wrapped entries.
    var unwraps = false

    init() {}
}
