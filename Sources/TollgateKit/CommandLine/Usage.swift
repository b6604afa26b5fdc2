/// The help texts.
enum Usage {
    /// The version Tollgate reports.
    static let version = "0.1.0"

    /// The overview printed by `tollgate --help`.
    static let overview = """
        tollgate: a runtime policy and budget gate for MCP tool servers

        USAGE:
          tollgate run [OPTIONS] -- COMMAND [ARG...]   start COMMAND and relay MCP over stdio
          tollgate run --manifest FILE                 start the server the manifest names
          tollgate check [--strict] FILE|-             validate a manifest; list every problem
          tollgate init -- COMMAND [ARG...]            print a starter manifest for a server
          tollgate pin --manifest FILE [-- COMMAND...]  refresh tool pins after a reviewed upgrade
          tollgate audit verify FILE...                check an audit log's hash chain
          tollgate audit log [FILE] [--denied] [--follow] ...  one line per call: what was blocked and why
          tollgate audit summary [FILE...] [--json]    per-tool counts, denials, reasons, approvals
          tollgate audit replay FILE... --manifest NEW [--json]  what NEW would decide otherwise
          tollgate budget show [--manifest FILE] [--scope S] [--json]  budgets used, burn rate, run-out time
          tollgate budget reset --scope S [--budget B] [--manifest FILE]  forget a store scope's spend
          tollgate wrap [--client C] [--dry-run]       put Tollgate in front of a client's servers
          tollgate unwrap [--client C] [--dry-run]     restore the client's entries
          tollgate status [--client C]                 which entries are behind Tollgate, in which mode
          tollgate enforce MANIFEST                    print would-be denials, then switch to enforce
          tollgate doctor [--manifest FILE]            what this machine offers sandboxes; can FILE's be set up
          tollgate help [COMMAND] | --help | --version

        Put `tollgate run -- ` in front of a server's command in your agent's MCP config.
        Run `tollgate help run` for the options of run.

        EXIT CODES:
          0     success
          1     runtime failure; `check --strict`: the manifest loads but has warnings
          2     usage or manifest error
          126   the server command could not be executed (also: its required sandbox cannot be set up)
          127   the server command was not found
          N     otherwise `run` exits with the server's status (128+signal if a signal ended it)
        """

    /// The help of `tollgate audit`.
    static let audit = """
        USAGE: tollgate audit verify [--from SEQ] [--checkpoints FILE] FILE...
               tollgate audit log [FILE] [--manifest M] [--denied] [--tool GLOB] [--code CODE]...
                   [--agent A] [--since DURATION|TIME] [--until TIME] [--follow] [--json] [--no-verify]
               tollgate audit summary [FILE...] [--manifest M] [--since DURATION|TIME] [--json] [--no-verify]
               tollgate audit replay FILE... --manifest NEW [--json]

        Give verify and replay rotated files oldest first (audit.log.2 audit.log.1 audit.log).
        log prints one line per call decided: the local time, the decision, [agent] (the client's
        name) and server/tool with a short redacted preview of the arguments, the denial's code, rule and reason, who approved a held
        call, and "->" with how a forwarded call ended (ok, error, timeout, result_too_large, ...),
        its size and duration. Without FILE it reads the manifest's audit.path (M, default
        tollgate.json), and the log's rotated files first. --denied: calls whose client got a denial
        (also a timeout or a withheld result); --tool: names matching GLOB (* and ?); --code: that
        denial code (repeat for several); --agent: records naming that agent; --since 15m, 2h, 7d,
        2026-12-03, 2026-12-03T09:30, 09:30 or RFC 3339; --until the same (exclusive). --follow keeps
        printing calls as they are recorded, across rotations, like tail -F. --json prints one object
        per call: {"location", "decision", "approval"?, "outcome"?} with the records as written.
        Colour only on a terminal, never with NO_COLOR set. Nothing matching: nothing printed, exit 0.
        log and summary check the chain first (as verify does; --no-verify skips it on huge logs):
        when it does not verify they say where on stderr, still print, and exit 1.
        verify re-derives every record's hash and its link to the previous one, and checks the
        head: every file starts with a file_start record and seq runs on from 1, or from SEQ for a
        log whose older part was archived or rotated away on purpose. Exit 0 when intact (the seq
        range and the last record are reported: a cut tail shows only against a copy of them kept
        elsewhere), 1 naming the first bad record (edited, deleted, reordered or inserted, a cut
        head, an empty log). A keyed log (HMAC) needs the key in TOLLGATE_AUDIT_KEY.
        --checkpoints FILE (the manifest's audit.checkpointFile) also checks that every checkpoint's
        seq is in the log with the hash it saw: exit 1 when records were cut from the end. With
        TOLLGATE_AUDIT_KEY every checkpoint's MAC must match the key.
        summary prints, per tool, allowed/denied counts by code, outcomes by code (a timeout, a
        withheld result), cost, tokens and p50/p99 duration; then denials by code and by tool, the
        five most frequent reasons, approvals (granted, denied, timed out), budget crossings, and
        figures per agent and per workflow when records name them. --since counts only records from
        then on. Each FILE is read after its rotated files (unless some of them are given too).
        replay re-decides every recorded call under manifest NEW (names and argument schemas; not
        budgets, rates, pins or the server's inputSchema) and lists the calls that would change:
        allowed -> denied (with code, rule and reason), denied -> allowed, denied differently, and
        allowed -> needs approval; calls whose arguments were not recorded in full (digest mode,
        or redaction replaced a value) are listed as not judged. Exit 0 when nothing would change,
        3 when something would, 1 when a file cannot be read, 2 for a bad manifest.
        """

    /// The help of `tollgate pin`.
    static let pin = """
        USAGE: tollgate pin --manifest FILE [-- COMMAND [ARG...]]

        Starts the server (COMMAND, or the one server the manifest names), lists its tools, and
        rewrites the "pin" of every rule named after a listed tool to the definition's digest
        now (rules without a pin get one). Nothing else in the file changes: comments, order and
        layout stay. Run it after reviewing a server upgrade; until then changed tools stay
        blocked (tool_changed). The file is replaced atomically and only if it still loads.
        Prints one line per pin written; exit 0, 1 when the server fails, 2 for a bad manifest.
        """

    /// The help of `tollgate budget`.
    static let budget = """
        USAGE: tollgate budget show [--manifest FILE] [--scope S] [--json]
               tollgate budget reset --scope S [--budget B] [--manifest FILE]

        show reads the budgets the manifest keeps (the manifest defaults to tollgate.json): its
        ledger (budgets.ledger) without changing it, or its store (budgets.store) at the store's
        time. It prints each budget's use and cap, its burn rate over the window (the last hour
        without one) and when it runs out at that rate, scope by scope: the manifest's own
        scopes and every other scope spent in (global, agent:NAME, workflow:ID, run:ID or a
        template's name). --scope S: only that scope. --json prints the same as one JSON
        object. A manifest with neither: exit 1 (budgets then live in each run's memory only).

        reset deletes a store scope's budgets and rate buckets (--budget B: only that budget, as
        show names it without the counter: budgets, tools.git_*.budget, tools.X.budget[tool]),
        prints how many keys went, and records it in the manifest's audit trail (event
        budget_reset). A ledger is not reset in place: move its file away instead.
        """

    /// The help of `tollgate check`.
    static let check = """
        USAGE: tollgate check [--strict] FILE
               tollgate check [--strict] -        (the manifest on stdin; relative paths from here)

        Validates a manifest exactly as `run` would, without starting anything. Lists every
        problem (file:line:column: key.path: what is expected) on stderr and exits 2; otherwise
        prints a one-line summary and exits 0, after warning on stderr about what would fail when
        Tollgate starts here: a variable that is not set, a server command not on PATH, a
        missing cwd, pathWithin directory, approver command or sandbox path, a sandbox this
        machine cannot provide. --strict: warnings exit 1.
        """

    /// The help of `tollgate init`.
    static let initialize = """
        USAGE: tollgate init -- COMMAND [ARG...]

        Starts the server, lists its tools (every page), and prints a starter manifest on stdout
        as strict JSON: default deny, each tool with a proposed decision from its annotations
        (readOnlyHint: allowed; destructiveHint: denied; others: denied with a reason to review)
        and the "pin" of its definition (sha256 of name, description, inputSchema, annotations).
        The server entry records the directory init ran in as its cwd (and a command given as a
        relative path as an absolute one), so the manifest means the same from any directory,
        and proposes a sandbox to review: the preset the command suggests, that directory
        read-only, and network "none" unless the tools suggest network use ("allow" then).
          tollgate init -- uvx mcp-server-git --repository . > git.json
        """

    /// The help of `tollgate run`.
    static let run = """
        USAGE: tollgate run [OPTIONS] -- COMMAND [ARG...]
               tollgate run --manifest FILE [OPTIONS] [-- COMMAND [ARG...]]

        Starts COMMAND as an MCP server over stdio and relays JSON-RPC between it and the client
        on Tollgate's stdin/stdout. Diagnostics go to stderr, as does the server's stderr.

        With --manifest FILE and no COMMAND, the server (or servers) the manifest names start,
        each in its cwd (default: the manifest's folder). COMMAND after -- replaces them and runs
        in Tollgate's working directory. Without a manifest every call passes unchecked.

        OPTIONS:
          -m, --manifest FILE     the tool manifest (policy, budgets, audit); SIGHUP reloads it
          --watch                 also reload the manifest when the file changes
          --monitor, --enforce    override the manifest's policy.mode (monitor blocks nothing)
          --log-level LEVEL       Tollgate's own stderr: error, warning or info (the default)
          -q, --quiet             the same as --log-level error
          --max-message-mb N      largest message relayed whole (default 128)
          --memory-mb N           limit the server's address space (setrlimit RLIMIT_AS)
          --cpu-seconds N         limit the server's CPU time (RLIMIT_CPU)
          --open-files N          limit the server's open files (RLIMIT_NOFILE)
          --processes N           limit the server user's processes (RLIMIT_NPROC)
          --agent NAME            the agent's name (else TOLLGATE_AGENT): budgets.scope "agent",
                                  and the agent of audit records instead of the client's own name
          --workflow ID           the workflow (else TOLLGATE_WORKFLOW): budgets.scope "workflow",
                                  and the workflow of audit records
          --sandbox PRESET        run COMMAND in a sandbox: python, node, uv or binary (the
                                  runtime paths it needs; see tollgate doctor for the kernel's part)
          --read PATH             ... it may also read PATH (repeat for more)
          --write PATH            ... read and write PATH (never execute there)
          --execute PATH          ... read and execute PATH
          --network none|allow    ... its network: none (the default: no route out) or Tollgate's
          --allow-host HOST:PORT  ... reach HOST:PORT only, through Tollgate's proxy (repeat; audited)
          --sandbox-optional      ... run unsandboxed, with a warning, where the kernel cannot
          -h, --help              show this help

        SANDBOX:
          With a manifest, a server's "sandbox" section applies, also to COMMAND when it replaces
          the manifest's one server; the flags above replace it. Paths are relative to Tollgate's
          working directory. A sandbox the kernel cannot provide stops the server (exit 126).

        RELOAD:
          With a manifest, SIGHUP (or, with --watch, a change of the file) reloads it: calls in
          flight finish under the policy that decided them, the next call is decided by the new
          one. An invalid manifest is reported on stderr and in the audit trail, and the running
          policy stays. Without a manifest, SIGHUP shuts Tollgate down like SIGTERM.

        SHUTDOWN:
          When the client closes stdin (or on SIGINT/SIGTERM), Tollgate closes the server's stdin,
          waits 2 s, sends SIGTERM to its process group, waits 2 s, sends SIGKILL, and exits with
          the server's status. The server also dies if Tollgate is killed (PR_SET_PDEATHSIG).
        """

    /// The help of `tollgate wrap` and `tollgate unwrap`.
    static let wrap = """
        USAGE: tollgate wrap [--client CLIENT] [--manifests DIR] [--dry-run] [--timeout S] [--force]
               tollgate unwrap [--client CLIENT] [--dry-run]
               tollgate status [--client CLIENT]
               tollgate enforce MANIFEST

        CLIENT: claude-code (the default: ./.mcp.json and ~/.claude.json, those that exist),
        claude-desktop (~/.config/Claude/claude_desktop_config.json), or any FILE in the
        mcpServers format. wrap puts Tollgate in front of every stdio entry: "command" becomes
        Tollgate (its absolute path; `tollgate` in a project's .mcp.json, shared through git) and
        "args" become ["run", "--manifest", M, "--", COMMAND, ARG...]; env, cwd and the rest of
        the file stay byte for byte. Remote (url) entries are left alone, wrapped ones too.
        Each server gets a starter manifest M (an existing one is kept): init runs it with the
        entry's env and cwd, S seconds per request (default 20), and writes the manifest in
        monitor mode, so nothing is blocked until you run `tollgate enforce`. Manifests go to
        DIR, default ~/.config/tollgate/manifests ($XDG_CONFIG_HOME), or the project's .tollgate/.
        A server that fails init is reported and left unwrapped; --force wraps it with a
        manifest naming no tools. --dry-run starts nothing and prints the change.
        The file is backed up beside itself (FILE.tollgate-backup, .2, ...) and replaced
        atomically only if it did not change since it was read (else the edit is made again).
        unwrap restores exactly what wrap changed; manifests are kept. Exit 0, 1 if anything
        was left undone. Each manifest records calls in NAME.audit.log beside it: read the
        would-be denials with `tollgate audit summary`. status lists each entry, its manifest,
        mode and the audit log's counts of the last 24 hours. enforce prints the would-be denials
        recorded and switches the manifest's policy.mode to enforce, changing nothing else.
        """

    /// The help of `tollgate doctor`.
    public static let doctor = """
        USAGE: tollgate doctor [--manifest FILE]

        Says what this machine offers sandboxes, found by asking the kernel and by trying: the
        Landlock ABI and what each version guarantees (and what none covers), network and user
        namespaces (a child enters them), pidfd_open, no_new_privs and capabilities, and cgroup v2
        delegation for resource limits; each line names the manifest features it enables. With
        --manifest FILE, also whether each server's sandbox can be set up here (the kernel, and
        every path it names). Exit 0; 1 when a required sandbox of FILE cannot be set up.
        """

    /// Each command and its help, for `tollgate help COMMAND`.
    static let topics: [(command: String, text: String)] = [
        ("run", run), ("check", check), ("init", initialize), ("pin", pin), ("audit", audit), ("budget", budget), ("wrap", wrap),
        ("doctor", doctor),
    ]
}
