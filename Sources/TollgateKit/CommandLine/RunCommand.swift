/// `tollgate run`: relays one server behind the gate.
struct RunCommand {
    let options: RunOptions

    func run() throws(CommandLineError) -> Int32 {
        // Before the audit log or the ledger may start a thread of their own.
        StdioRelay.blockSignals()
        var server = ChildProcess.Configuration(arguments: options.serverCommand, limits: options.limits)
        var gate: any Gate = PassThroughGate()
        var auditLog: AuditLog?
        var ledger: Ledger?
        var serverName = options.serverCommand.isEmpty ? nil : StarterManifest.serverName(for: options.serverCommand)
        if let path = options.manifestPath {
            let manifest = try loadManifest(path)
            if options.serverCommand.isEmpty && manifest.servers.count > 1 {
                return try runHost(manifest, path: path)
            }
            if options.serverCommand.isEmpty {
                guard let entry = manifest.defaultServer else {
                    throw CommandLineError(manifest.servers.isEmpty
                        ? "\(path): names no server; give the server command after '--' or add one under \"servers\""
                        : "\(path): names \(manifest.servers.count) servers; this version of Tollgate runs one: give its command after '--'")
                }
                server.arguments = entry.arguments
                serverName = entry.name
                server.workingDirectory = entry.workingDirectory
                server.environment = try entry.environment.resolve(parent: FileIO.environment(), server: entry.name, file: path)
                server.limits = entry.limits.overridden(by: options.limits)
            }
            var trail: AuditTrail?
            if let settings = manifest.audit {
                let log = try Self.openAudit(settings, manifest: manifest, server: serverName)
                auditLog = log
                trail = AuditTrail(log: log, arguments: settings.arguments, server: serverName)
            }
            if let path = manifest.budgets.ledger {
                ledger = try Self.openLedger(path, limits: manifest.budgetLimits)
            }
            gate = PolicyGate(manifest: manifest, workingDirectory: server.workingDirectory, audit: trail, budgetAccount: ledger)
            if manifest.policy.mode == .monitor {
                Diagnostics.standardError.report("monitor mode: nothing is blocked; would-be denials are reported here")
            }
        }
        let cgroup = Self.cgroup(for: server.limits)
        server.cgroup = cgroup?.path
        defer { cgroup?.remove() }
        var relayOptions = StdioRelay.Options()
        relayOptions.maxMessageBytes = options.maxMessageBytes
        relayOptions.reloader = options.manifestPath.map { path in
            let workingDirectory = server.workingDirectory
            return ManifestReloader(path: path, watches: options.watchesManifest, audit: auditLog) { manifest in
                PolicyGate(manifest: manifest, workingDirectory: workingDirectory)
            }
        }
        let relay = StdioRelay(server: server, options: relayOptions)
        do throws(SpawnError) {
            let status = try relay.run(session: RelaySession(gate: gate, reloadable: relayOptions.reloader != nil))
            Self.closeLedger(ledger)
            if let auditLog { Self.closeAudit(auditLog, server: serverName, status: status.description) }
            return status.shellCode
        } catch {
            Self.closeLedger(ledger)
            if let auditLog { Self.closeAudit(auditLog, server: serverName, status: error.description) }
            throw CommandLineError(error.description, exitCode: error.exitCode)
        }
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
    static func openAudit(_ settings: Manifest.Audit, manifest: Manifest, server: String?) throws(CommandLineError) -> AuditLog {
        do throws(AuditError) {
            let log = try AuditLog.open(path: settings.path, fsync: settings.fsync, rotateMB: settings.rotateMB,
                                        key: AuditKey.current())
            try log.append(AuditRecord.start(manifestSha256: manifest.sha256, server: server))
            return log
        } catch {
            throw CommandLineError("cannot open the audit log \(settings.path): \(error); Tollgate will not run without it",
                                   exitCode: CommandLineError.ExitCode.failure.rawValue)
        }
    }

    /// Opens the budget ledger; Tollgate does not start without it (budgets fail closed).
    static func openLedger(_ path: String, limits: BudgetLimits) throws(CommandLineError) -> Ledger {
        do throws(LedgerError) {
            return try Ledger(path: path, limits: limits, now: GateClock.system.wallMilliseconds())
        } catch {
            throw CommandLineError("cannot open the budget \(error); Tollgate will not run without it",
                                   exitCode: CommandLineError.ExitCode.failure.rawValue)
        }
    }

    /// Syncs the ledger's last records to the disk.
    static func closeLedger(_ ledger: Ledger?) {
        do throws(LedgerError) {
            try ledger?.flush()
        } catch {
            Diagnostics.standardError.report("budget: cannot sync the \(error)")
        }
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
