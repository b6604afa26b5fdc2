/// `tollgate run`: relays one server behind the gate (several: ``runHost(_:path:)``).
struct RunCommand {
    let options: RunOptions

    func run() throws -> Int32 {
        // Before the audit log or the ledger may start a thread of their own.
        StdioRelay.blockSignals()
        LogLevel.threshold = options.logLevel
        var server = ChildProcess.Configuration(arguments: options.serverCommand, limits: options.limits)
        let commandName = options.serverCommand.isEmpty ? nil : StarterManifest.serverName(for: options.serverCommand)
        guard let path = options.manifestPath else {
            Diagnostics.standardError.report("no manifest: relaying \(commandName ?? "the server") (\(Self.shown(server.arguments))) with no policy, "
                                             + "so every call passes unchecked; give one with --manifest FILE"
                                             + (options.sandbox.map { "; sandbox: \($0.summary)" } ?? ""))
            server.sandbox = commandLineSandbox.map { Sandbox(spec: $0, server: commandName) }
            return try relay(server, gate: PassThroughGate(), effects: EffectsOwner(), serverName: commandName)
        }
        let manifest = try startingUp { try loadManifest(path) }
        // The store's password leaves the environment before any thread starts.
        if let name = manifest.budgets.store?.passwordVariable { SecretEnvironment.withhold([name]) }
        if options.serverCommand.isEmpty && manifest.servers.count > 1 {
            return try runHost(manifest, path: path)
        }
        var serverName = commandName
        var sandbox = try startingUp { try replacedServersSandbox(manifest, path: path) }
        if options.serverCommand.isEmpty {
            guard let entry = manifest.defaultServer else {
                return try startingUp {
                    throw CommandFailure.unusable("\(path): names no server; give the server command after '--' or add one under \"servers\"")
                }
            }
            server.arguments = entry.arguments
            serverName = entry.name
            server.workingDirectory = entry.workingDirectory
            server.environment = entry.environment.resolve(parent: FileIO.environment())
            server.limits = entry.limits.overridden(by: options.limits)
            sandbox = entry.sandbox
        }
        let exportSettings = try startingUp { try telemetryConfiguration(manifest) }
        let (trail, ledger) = try startingUp { try openRecords(manifest, path: path, server: serverName) }
        server.sandbox = sandbox.map { Sandbox(spec: $0, server: serverName, audit: trail?.log) }
        let telemetry = startTelemetry(exportSettings, manifest: manifest, audit: trail, server: serverName)
        let effects = Self.effects(of: manifest, audit: trail, ledger: ledger, telemetry: Self.gateTelemetry(telemetry, configuration: exportSettings))
        let gate = PolicyGate(manifest: manifest, workingDirectory: server.workingDirectory ?? FileIO.currentDirectory(), effects: effects)
        Diagnostics.standardError.report(startLine(manifest, path: path, servers: [(serverName ?? "the server", server.arguments, sandbox)]), level: .info)
        return try relay(server, gate: gate, effects: EffectsOwner(effects), serverName: serverName, ledger: ledger, telemetry: telemetry)
    }

    /// The command line's sandbox (`--sandbox ...`), its paths made absolute from Tollgate's
    /// working directory.
    var commandLineSandbox: SandboxSpec? {
        guard var spec = options.sandbox else { return nil }
        let directory = FileIO.currentDirectory()
        for keyPath in [\SandboxSpec.read, \SandboxSpec.write, \SandboxSpec.execute] {
            spec[keyPath: keyPath] = spec[keyPath: keyPath].map { ManifestLoader.normalized(FileIO.absolute($0, base: directory)) }
        }
        return spec
    }

    /// The sandbox of a command given after `--`: the command line's, else that of the one server
    /// of the manifest it replaces. It never silently drops one: replacing several servers of
    /// which some have a sandbox is an error.
    func replacedServersSandbox(_ manifest: Manifest, path: String) throws(CommandFailure) -> SandboxSpec? {
        guard !options.serverCommand.isEmpty else { return nil }
        if let spec = commandLineSandbox { return spec }
        if manifest.servers.count == 1 { return manifest.servers[0].sandbox }
        let sandboxed = manifest.servers.filter { $0.sandbox != nil }.map(\.name)
        guard sandboxed.isEmpty else {
            throw .unusable("\(path): the command after '--' replaces the servers \(manifest.servers.map(\.name).joined(separator: ", ")), "
                            + "and \(sandboxed.joined(separator: ", ")) \(sandboxed.count == 1 ? "has a sandbox" : "have sandboxes"): "
                            + "give the command's own with --sandbox PRESET (and --read, --write, --network ...)")
        }
        return nil
    }

    /// Relays `server` behind `gate` until it is gone; then syncs the ledger, records the exit and
    /// lets telemetry export what is left.
    private func relay(_ server: ChildProcess.Configuration, gate: any Gate, effects: EffectsOwner, serverName: String?,
                       ledger: (any BudgetAccount)? = nil, telemetry: Telemetry? = nil) throws -> Int32 {
        var server = server
        let cgroup = Self.cgroup(for: server.limits)
        server.cgroup = cgroup?.path
        defer { cgroup?.remove() }
        let auditLog = effects.auditLog
        var relayOptions = StdioRelay.Options()
        relayOptions.maxMessageBytes = options.maxMessageBytes
        relayOptions.reloader = options.manifestPath.map { path in
            let workingDirectory = server.workingDirectory ?? FileIO.currentDirectory()
            return ManifestReloader(path: path, options: loadOptions, watches: options.watchesManifest, audit: auditLog) { manifest in
                PolicyGate(manifest: overridden(manifest), workingDirectory: workingDirectory)
            }
        }
        let relay = StdioRelay(server: server, options: relayOptions)
        do throws(SpawnError) {
            let status = try relay.run(session: RelaySession(gate: gate, reloadable: relayOptions.reloader != nil), effects: effects)
            effects.finish()
            Self.closeLedger(ledger)
            if let auditLog { Self.closeAudit(auditLog, server: serverName, status: status.description) }
            telemetry?.finish()
            return status.shellCode
        } catch {
            effects.finish()
            Self.closeLedger(ledger)
            if let auditLog { Self.closeAudit(auditLog, server: serverName, status: error.description) }
            telemetry?.finish()
            throw error
        }
    }

    /// How the manifest is loaded: for a server the command line names, relative paths in calls
    /// resolve against Tollgate's working directory, where that server runs.
    /// The agent's and workflow's names given on the command line win over those of the
    /// environment (`TOLLGATE_AGENT`, `TOLLGATE_WORKFLOW`); the `run` scope is this run's id.
    var loadOptions: ManifestLoadOptions {
        var environment = FileIO.environment()
        if let agent = options.agent { environment[SpendScope.agentVariable] = agent }
        if let workflow = options.workflow { environment[SpendScope.workflowVariable] = workflow }
        var loadOptions = ManifestLoadOptions(environment: environment, serverDirectory: options.serverCommand.isEmpty ? nil : FileIO.currentDirectory())
        loadOptions.runID = Self.runID
        return loadOptions
    }

    /// This process's run id: the audit trail's `run` and the `run` scope's name.
    static let runID = AuditRunID.random()

    /// The agent's name: `--agent`, else a non-empty `TOLLGATE_AGENT`.
    var agent: String? { options.agent ?? FileIO.environment()[SpendScope.agentVariable].flatMap { $0.isEmpty ? nil : $0 } }

    /// The workflow's id: `--workflow`, else a non-empty `TOLLGATE_WORKFLOW`.
    var workflow: String? { options.workflow ?? FileIO.environment()[SpendScope.workflowVariable].flatMap { $0.isEmpty ? nil : $0 } }

    /// Loads the manifest as `run` uses it (the command line's mode over the manifest's).
    func loadManifest(_ path: String) throws(CommandFailure) -> Manifest {
        overridden(try TollgateKit.loadManifest(path, options: loadOptions))
    }

    /// `manifest` with `--monitor` or `--enforce` applied.
    func overridden(_ manifest: Manifest) -> Manifest {
        var manifest = manifest
        if let mode = options.mode { manifest.policy.mode = mode }
        return manifest
    }

    /// Runs a start-up step; when it fails, the client's requests (its `initialize`, or a
    /// 2026-07-28 client's first request) are answered with the error before it is thrown, so
    /// the host shows why Tollgate did not start instead of a closed pipe.
    func startingUp<Value>(_ step: () throws -> Value) throws -> Value {
        do {
            return try step()
        } catch {
            var relayOptions = StdioRelay.Options()
            relayOptions.maxMessageBytes = options.maxMessageBytes
            StdioRelay.refuseRequests(because: "Tollgate did not start: \(CommandExit(error).message)", options: relayOptions)
            throw error
        }
    }

    /// The effects of a manifest's gate: its audit trail, budgets and telemetry.
    static func effects(of manifest: Manifest, audit: AuditTrail?, ledger: (any BudgetAccount)?, telemetry: GateTelemetry? = nil) -> CallEffects {
        CallEffects(audit: audit, limits: manifest.budgetLimits, account: ledger, monitoring: manifest.policy.mode == .monitor, telemetry: telemetry)
    }

    /// Opens the audit trail and the budget ledger or store the manifest asks for.
    func openRecords(_ manifest: Manifest, path: String, server: String?) throws(CommandFailure) -> (AuditTrail?, (any BudgetAccount)?) {
        var trail: AuditTrail?
        if let settings = manifest.audit {
            let log = try Self.openAudit(settings, manifest: manifest, server: server)
            trail = AuditTrail(log: log, arguments: settings.arguments, maxArgumentBytes: settings.maxArgumentBytes, server: server,
                               agent: agent, workflow: workflow)
        }
        do throws(CommandFailure) {
            if let store = manifest.budgets.store {
                let log = trail?.log
                return (trail, StoreAccount(settings: store, password: try StoreAccess.password(store, manifest: path), limits: manifest.budgetLimits) { notice in
                    Diagnostics.standardError.report("budget store \(notice.store): \(notice.message)")
                    do throws(AuditError) {
                        try log?.append(AuditRecord.budgetStore(notice, server: server))
                    } catch {
                        Diagnostics.standardError.report("audit: cannot record that the budget store is \(notice.state.rawValue): \(error)")
                    }
                })
            }
            return (trail, try manifest.budgets.ledger.map { ledger throws(CommandFailure) in try Self.openLedger(ledger, limits: manifest.budgetLimits) })
        } catch {
            if let log = trail?.log { Self.closeAudit(log, server: server, status: "not started: \(error.message)") }
            throw error
        }
    }

    /// The line said at start: what runs, under which manifest, and what is in force.
    func startLine(_ manifest: Manifest, path: String, servers: [(name: String, arguments: [String], sandbox: SandboxSpec?)]) -> String {
        let started = servers.map { "\($0.name) (\(Self.shown($0.arguments)))" + ($0.sandbox.map { " in a sandbox (\($0.summary))" } ?? "") }
            .joined(separator: ", ")
        var line = "started \(started) under \(path)"
        if !options.serverCommand.isEmpty && !manifest.servers.isEmpty {
            line += " (the command after -- replaces its server\(manifest.servers.count == 1 ? " \(manifest.servers[0].name)" : "s"))"
        }
        let mode = manifest.policy.mode == .monitor ? "monitor mode (nothing is blocked; would-be denials are reported here)" : "enforce mode"
        return line + ": \(mode), default \(manifest.policy.defaultDecision.rawValue); \(manifest.rulesSummary); "
            + "\(manifest.budgetsSummary); \(manifest.auditSummary)"
    }

    /// A command line as one might type it (arguments with spaces quoted).
    static func shown(_ arguments: [String]) -> String {
        arguments.map { $0.isEmpty || $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")
    }

    /// A cgroup for the server when memory or CPU is limited and cgroup v2 allows one; otherwise
    /// says once on stderr that setrlimit alone applies.
    static func cgroup(for limits: ResourceLimits) -> ServerCgroup? {
        guard limits.memoryMB != nil || limits.cpuSeconds != nil else { return nil }
        switch ServerCgroup.create(limits: limits) {
        case .success(let cgroup):
            return cgroup
        case .failure(let unavailable):
            Diagnostics.standardError.report("cgroup v2 not writable here; memory and CPU are limited by setrlimit only (\(unavailable.reason))")
            return nil
        }
    }

    /// Opens the audit log and records the start; Tollgate does not start without its audit trail.
    static func openAudit(_ settings: Manifest.Audit, manifest: Manifest, server: String?) throws(CommandFailure) -> AuditLog {
        do throws(AuditError) {
            let log = try AuditLog.open(path: settings.path, fsync: settings.fsync, rotateBytes: settings.rotateMB.map { $0 << 20 },
                                        key: AuditKey.current(), runID: runID)
            try log.append(AuditRecord.start(manifestSha256: manifest.sha256, server: server))
            return log
        } catch {
            throw CommandFailure.failed("cannot open the audit log \(settings.path): \(error); Tollgate will not run without it")
        }
    }

    /// Opens the budget ledger; Tollgate does not start without it (budgets fail closed). Its
    /// batched syncs and compactions run on a helper thread, off the calls' path.
    static func openLedger(_ path: String, limits: BudgetLimits) throws(CommandFailure) -> Ledger {
        do throws(LedgerError) {
            return try Ledger(path: path, limits: limits, maintenance: .background, now: GateClock.system.wallMilliseconds())
        } catch {
            throw CommandFailure.failed("cannot open the budget \(error); Tollgate will not run without it")
        }
    }

    /// Syncs the ledger's last records to the disk, or sends the store's last settlements.
    static func closeLedger(_ account: (any BudgetAccount)?) {
        if let store = account as? StoreAccount { return store.close() }
        guard let ledger = account as? Ledger else { return }
        do throws(LedgerError) {
            try ledger.flush()
        } catch {
            Diagnostics.standardError.report("budget: cannot sync the \(error)")
        }
        let stats = ledger.stats
        Diagnostics.standardError.report("budget: the ledger took \(stats.writes) writes; \(stats.waitedOnMaintenance) calls waited on its compaction or fdatasync",
                                         level: .info)
    }

    /// Records the server's exit and flushes the log.
    static func closeAudit(_ log: AuditLog, server: String?, status: String) {
        do throws(AuditError) {
            try log.append(AuditRecord.serverExit(server: server, status: status))
            try log.close()
        } catch {
            Diagnostics.standardError.report("audit: cannot record the server's exit: \(error)")
        }
    }
}
