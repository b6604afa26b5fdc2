import Synchronization

/// `tollgate run --manifest FILE` with several servers: every one is started and the client
/// sees one MCP server (see ``HostSession``).
extension RunCommand {
    /// Runs the aggregating gate over every server of `manifest`.
    func runHost(_ manifest: Manifest, path: String) throws -> Int32 {
        guard manifest.servers.count <= EventLoop.Event.maxServers else {
            return try startingUp {
                throw CommandFailure.unusable("\(path): names \(manifest.servers.count) servers; Tollgate fronts at most \(EventLoop.Event.maxServers)")
            }
        }
        let cgroups = Mutex<[ServerCgroup]>([])
        defer { for cgroup in cgroups.withLock({ $0 }) { cgroup.remove() } }
        let parentEnvironment = FileIO.environment()
        let limits = options.limits
        let serverNames = manifest.servers.map(\.name).joined(separator: ",")
        let exportSettings = try startingUp { try telemetryConfiguration(manifest) }
        let (trail, ledger) = try startingUp { try openRecords(manifest, path: path, server: serverNames) }
        let auditLog = trail?.log
        // How a manifest entry becomes a process (at start, and for servers a reload adds or changes).
        let configure: @Sendable (Manifest.Server) -> ChildProcess.Configuration = { entry in
            var server = ChildProcess.Configuration(arguments: entry.arguments, limits: entry.limits.overridden(by: limits))
            server.workingDirectory = entry.workingDirectory
            server.environment = entry.environment.resolve(parent: parentEnvironment)
            server.sandbox = entry.sandbox.map { Sandbox(spec: $0, server: entry.name, audit: auditLog) }
            if let cgroup = Self.cgroup(for: server.limits) {
                server.cgroup = cgroup.path
                cgroups.withLock { $0.append(cgroup) }
            }
            return server
        }
        let configurations = manifest.servers.map(configure)
        let namespace = ToolNamespace(servers: manifest.servers.map { ToolNamespace.Server(name: $0.name, prefixed: $0.prefix) },
                                      separator: manifest.aggregation.separator)
        let telemetry = startTelemetry(exportSettings, manifest: manifest, audit: trail, server: nil, namespace: namespace)
        let effects = Self.effects(of: manifest, audit: trail, ledger: ledger, telemetry: Self.gateTelemetry(telemetry, configuration: exportSettings))
        let gate = PolicyGate(manifest: manifest, effects: effects)
        Diagnostics.standardError.report(startLine(manifest, path: path, servers: manifest.servers.map { ($0.name, $0.arguments, $0.sandbox) }), level: .info)
        var relayOptions = StdioRelay.Options()
        relayOptions.maxMessageBytes = options.maxMessageBytes
        relayOptions.reloader = ManifestReloader(path: path, options: loadOptions, watches: options.watchesManifest, audit: auditLog) { manifest in
            PolicyGate(manifest: overridden(manifest))
        }
        var relay = HostRelay(servers: configurations, restartPolicies: manifest.servers.map(\.restart), options: relayOptions)
        relay.entries = manifest.servers
        relay.configure = { entry in .success(configure(entry)) }
        let owner = EffectsOwner(effects)
        let status = relay.run(session: HostSession(namespace: namespace, gate: gate, startTimeouts: manifest.servers.map(\.startTimeoutMilliseconds), reloadable: true), effects: owner)
        owner.finish()
        Self.closeLedger(ledger)
        if let auditLog { Self.closeAudit(auditLog, server: serverNames, status: status.description) }
        telemetry?.finish()
        return status.shellCode
    }
}
