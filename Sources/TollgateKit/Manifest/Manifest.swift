/// A tool manifest: which tools exist, which are allowed, what their arguments may be, and which
/// server(s) to start. Loaded once, validated strictly, then only read.
public struct Manifest: Sendable {
    /// What happens to a call no rule matches.
    public enum DefaultDecision: String, Sendable, CaseIterable {
        case allow, deny
    }

    /// Whether decisions are enforced or only reported.
    public enum Mode: String, Sendable, CaseIterable {
        /// Denied calls never reach the server.
        case enforce
        /// Nothing is blocked; each would-be denial is reported on stderr (a dry run).
        case monitor
    }

    /// The `policy` section.
    public struct Policy: Sendable, Equatable {
        public var defaultDecision: DefaultDecision = .deny
        public var mode: Mode = .enforce
        /// Whether calls are also validated against the tool's own `inputSchema` from `tools/list`.
        public var validateInput = true
        /// How long a call held for approval waits for an answer (`approvalTimeoutSeconds`).
        public var approvalTimeoutSeconds = 120
        /// How long a forwarded call may wait for its answer when its rules set no
        /// `timeoutSeconds` (`policy.defaultTimeoutSeconds`); nil: no limit.
        public var defaultTimeoutMilliseconds: Int64?

        public init() {}
    }

    /// A server entry of the `servers` section.
    public struct Server: Sendable, Equatable {
        public var name: String
        /// The command and its arguments.
        public var arguments: [String]
        /// The server's environment (`env`): added to Tollgate's, or replacing it.
        public var environment: ServerEnvironment
        /// The working directory (`cwd`, absolute: a relative one is resolved against the manifest's
        /// folder, which is also the default).
        public var workingDirectory: String
        /// Resource limits for the server process (`limits`).
        public var limits = ResourceLimits()
        /// Whether its tools are exposed as `name<separator>tool` when Tollgate aggregates
        /// several servers (`prefix`, default true).
        public var prefix = true
        /// How long the server may take to answer `initialize` when Tollgate aggregates several
        /// servers (`startTimeoutSeconds`, default 60 s); later it is treated as failed.
        public var startTimeoutMilliseconds: Int64 = Manifest.Server.defaultStartTimeoutMilliseconds
        /// Whether and how it is restarted when it fails, when Tollgate aggregates several servers.
        public var restart = RestartPolicy()
        /// The sandbox it runs in (`sandbox`), or nil.
        public var sandbox: SandboxSpec?

        /// The start timeout unless the manifest sets one.
        public static let defaultStartTimeoutMilliseconds: Int64 = 60_000
    }

    /// The `aggregation` section: how several servers are offered as one.
    public struct Aggregation: Sendable, Equatable {
        /// What stands between a server's name and a tool's (`separator`).
        public var separator = ToolNamespace.defaultSeparator

        public init() {}
    }

    /// A rule of the `tools` section.
    public struct ToolRule: Sendable {
        /// The rule's key: a tool name or a glob.
        public var pattern: String
        /// The compiled pattern.
        public var matcher: NameMatcher
        /// Whether matching calls may run.
        public var allow: Bool
        /// Why (shown to the model in denials).
        public var reason: String?
        /// The constraint on the call's arguments, if any.
        public var arguments: ArgumentSchema?
        /// The line the rule starts on.
        public var line: Int
        /// Its budget settings (`budget`, `rate`, `burst`, `cost`, `maxResultTokens`); empty by default.
        public var budget = RuleBudget(rule: "")
        /// The digest of the reviewed tool definition (`"pin"`, exact rules only): a listed
        /// definition that no longer matches it is blocked (`tool_changed`).
        public var pin: ToolPin?
        /// Whether calls wait for a person's approval (`"approval"`), and how it is asked for.
        public var approval: ApprovalRule?
        /// How long a matching call may wait for its answer (`timeoutSeconds`); nil: the default.
        public var timeoutMilliseconds: Int64?

        /// Where the rule was written: `tools`, or `servers.NAME.tools` for a server's own rules
        /// (whose keys match the server's own tool names; ``pattern`` is the exposed one).
        public var section = "tools"
        /// The rule's key as written in its section.
        public var key: String?

        /// The rule's name in denials and logs (`tools.git_*`, `servers.git.tools.git_commit`).
        public var name: String { "\(section).\(key ?? pattern)" }
    }

    /// The `audit` section: where and how decisions are recorded.
    public struct Audit: Sendable, Equatable {
        /// The log file (absolute; a relative path is resolved against the manifest's folder).
        public var path: String
        /// What of a call's arguments is recorded.
        public var arguments: AuditRedaction.Mode = .redacted
        /// When records reach the disk.
        public var fsync: AuditLog.Durability = .batch
        /// Rotate the file when it would pass this size.
        public var rotateMB: Int?
        /// The canonical size beyond which a call's arguments are cut in its record (see ``AuditArguments``).
        public var maxArgumentBytes = AuditArguments.defaultMaxBytes
        /// How often the chain is checkpointed (`checkpointSeconds`, default 60; see ``AuditCheckpoint``).
        public var checkpointSeconds = 60
        /// Where checkpoints are appended (`checkpointFile`, absolute), when set.
        public var checkpointFile: String?
    }

    /// The `budgets` section: overall caps, rate, window, and the shared ledger.
    public struct Budgets: Sendable, Equatable {
        /// The overall caps (`calls`, `cost`, `resultTokens`, `samplingTokens`).
        public var caps = BudgetCaps()
        /// The overall rate limit (`rate`, `burst`).
        public var rate: RateLimit?
        /// The largest `maxTokens` one sampling request may ask for (`samplingMaxTokensPerRequest`).
        public var samplingMaxTokensPerRequest: Int64?
        /// The rolling window (`window`); nil: per run, or for the ledger's life.
        public var window: BudgetWindow?
        /// The ledger shared by processes (absolute; a relative path is resolved against the manifest's folder).
        public var ledger: String?
        /// The store shared by gates on any number of machines (`store` and the settings beside it).
        public var store: StoreSettings?
        /// Whose spend the budgets count (`scope`), and the name it resolved to (empty when it
        /// was not resolved: `budget show` and `budget reset` read every scope).
        public var scope = SpendScope.global
        public var spendScope = SpendScope.globalName

        public init() {}
    }

    /// The file it was read from.
    public var file: String
    /// The absolute path of the file's folder: relative paths in the manifest start there, and
    /// `${MANIFEST_DIR}` stands for it.
    public var directory = ""
    /// Variables the manifest uses that Tollgate's environment lacks, when the manifest was loaded
    /// allowing them (``ManifestLoadOptions/allowsUnsetVariables``); otherwise they are problems.
    public var unsetVariables: [ManifestIssue] = []
    /// The directories and programs the manifest names, which must exist where it is used.
    public var requiredPaths: [RequiredPath] = []
    /// The SHA-256 of the manifest file's bytes (hex), recorded in the audit trail.
    public var sha256: String = ""
    /// The audit settings, when the manifest asks for an audit trail.
    public var audit: Audit?
    public var policy: Policy
    public var servers: [Server]
    public var tools: [ToolRule]
    /// The `budgets` section (empty when absent).
    public var budgets = Budgets()
    /// The `aggregation` section (defaults when absent).
    public var aggregation = Aggregation()
    /// The `telemetry` section, when present.
    public var telemetry: TelemetrySettings?

    /// Every budget setting as ``BudgetLimits``; its `rules` are parallel to ``tools`` (rule
    /// indices are the gate's rule indices).
    public var budgetLimits: BudgetLimits {
        BudgetLimits(overall: budgets.caps, rate: budgets.rate, window: budgets.window,
                     samplingMaxTokensPerRequest: budgets.samplingMaxTokensPerRequest,
                     rules: tools.map { rule in
                         var budget = rule.budget
                         budget.rule = rule.pattern
                         return budget
                     }, spendScope: budgets.spendScope)
    }

    /// The single server to start when the command line names none.
    public var defaultServer: Server? { servers.count == 1 ? servers[0] : nil }
}
