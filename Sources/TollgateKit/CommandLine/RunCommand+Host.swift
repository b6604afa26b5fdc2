import Synchronization

/// `tollgate run --manifest FILE` with several servers: every one is started and the client
/// sees one MCP server (see ``HostSession``).
extension RunCommand {
    /// Runs the aggregating gate over every server of `manifest`.
    func runHost(_ manifest: Manifest, path: String) throws(CommandLineError) -> Int32 {
        guard manifest.servers.count <= HostCore.maxChildren else {
            throw CommandLineError("\(path): names \(manifest.servers.count) servers; Tollgate fronts at most \(HostCore.maxChildren)")
        }
        let cgroups = Mutex<[ServerCgroup]>([])
        defer { for cgroup in cgroups.withLock({ $0 }) { cgroup.remove() } }
        let parentEnvironment = FileIO.environment()
        let limits = options.limits
        // How a manifest entry becomes a process (at start, and for servers a reload adds or changes).
        let configure: @Sendable (Manifest.Server) throws(CommandLineError) -> ChildProcess.Configuration = { entry throws(CommandLineError) in
            var server = ChildProcess.Configuration(arguments: entry.arguments, limits: entry.limits.overridden(by: limits))
            server.workingDirectory = entry.workingDirectory
            server.environment = try entry.environment.resolve(parent: parentEnvironment, server: entry.name, file: path)
            if let cgroup = Self.cgroup(for: server.limits) {
                server.cgroup = cgroup.path
                cgroups.withLock { $0.append(cgroup) }
            }
            return server
        }
        var configurations: [ChildProcess.Configuration] = []
        for entry in manifest.servers { configurations.append(try configure(entry)) }
        let serverNames = manifest.servers.map(\.name).joined(separator: ",")
        var auditLog: AuditLog?
        var trail: AuditTrail?
        if let settings = manifest.audit {
            let log = try Self.openAudit(settings, manifest: manifest, server: serverNames)
            auditLog = log
            trail = AuditTrail(log: log, arguments: settings.arguments, server: serverNames)
        }
        let ledger = try manifest.budgets.ledger.map { ledgerPath throws(CommandLineError) in try Self.openLedger(ledgerPath, limits: manifest.budgetLimits) }
        let gate = PolicyGate(manifest: manifest, audit: trail, budgetAccount: ledger)
        if manifest.policy.mode == .monitor {
            Diagnostics.standardError.report("monitor mode: nothing is blocked; would-be denials are reported here")
        }
        let namespace = ToolNamespace(servers: manifest.servers.map { ToolNamespace.Server(name: $0.name, prefixed: $0.prefix) },
                                      separator: manifest.aggregation.separator)
        var relayOptions = StdioRelay.Options()
        relayOptions.maxMessageBytes = options.maxMessageBytes
        relayOptions.reloader = ManifestReloader(path: path, watches: options.watchesManifest, audit: auditLog) { manifest in
            PolicyGate(manifest: manifest)
        }
        var relay = HostRelay(servers: configurations, restartPolicies: manifest.servers.map(\.restart), options: relayOptions)
        relay.entries = manifest.servers
        relay.configure = { entry in
            do throws(CommandLineError) {
                return .success(try configure(entry))
            } catch {
                return .failure(ReloadRefusal(problems: ["server \(entry.name) cannot be started: \(error.message)"]))
            }
        }
        let status = relay.run(session: HostSession(namespace: namespace, gate: gate, startTimeouts: manifest.servers.map(\.startTimeoutMilliseconds), reloadable: true))
        Self.closeLedger(ledger)
        if let auditLog { Self.closeAudit(auditLog, server: serverNames, status: status.description) }
        return status.shellCode
    }
}
