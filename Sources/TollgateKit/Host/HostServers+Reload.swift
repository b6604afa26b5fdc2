/// A reloaded manifest's `servers`: the servers it adds are started, those it removes are
/// stopped (their calls denied from then on), and those whose process settings (command,
/// arguments, environment, working directory, limits, prefix, sandbox) changed are started again with
/// them; restart and start-timeout settings apply in place.
extension HostServers {
    /// What a reload changes, worked out before anything is changed.
    struct Changes {
        var added: [(Manifest.Server, ChildProcess.Configuration)] = []
        var removed: [Int] = []
        var changed: [(Int, Manifest.Server, ChildProcess.Configuration)] = []
        var updated: [(Int, Manifest.Server)] = []
    }

    /// The changes `manifest` asks for, or why they cannot be made (then nothing changes, and
    /// the reload is refused).
    func plan(_ manifest: Manifest) throws(ReloadRefusal) -> Changes {
        var changes = Changes()
        let current = slots.indices.filter { slots[$0].entry != nil && !slots[$0].removed }
        guard let configure = relay.configure, !current.isEmpty || !manifest.servers.isEmpty else { return changes }
        var problems: [String] = []
        for index in current where !manifest.servers.contains(where: { $0.name.hasSameScalars(as: slots[index].entry?.name ?? "") && slots[index].entry != nil }) {
            changes.removed.append(index)
        }
        for server in manifest.servers {
            let existing = slots.indices.first { slots[$0].entry?.name.hasSameScalars(as: server.name) == true }
            if let index = existing, let entry = slots[index].entry, !slots[index].removed, !Self.needsRestart(from: entry, to: server) {
                if entry != server { changes.updated.append((index, server)) }
                continue
            }
            switch configure(server) {
            case .failure(let refusal): problems += refusal.problems
            case .success(let configuration):
                if let index = existing {
                    changes.changed.append((index, server, configuration))
                } else {
                    changes.added.append((server, configuration))
                }
            }
        }
        if slots.count + changes.added.count > EventLoop.Event.maxServers {
            problems.append("Tollgate fronts at most \(EventLoop.Event.maxServers) servers in one run")
        }
        guard problems.isEmpty else { throw ReloadRefusal(problems: problems) }
        return changes
    }

    /// Whether a changed entry needs a new process.
    static func needsRestart(from old: Manifest.Server, to new: Manifest.Server) -> Bool {
        old.arguments != new.arguments || old.environment != new.environment || old.workingDirectory != new.workingDirectory
            || old.limits != new.limits || old.prefix != new.prefix || old.sandbox != new.sandbox
    }

    /// Makes the planned changes (the new gate is already in force).
    mutating func apply(_ changes: Changes, manifest: Manifest, runtime: GateRuntime<HostSession>, now: Int64) {
        let grace = relay.options.shutdownGraceMilliseconds
        for index in changes.removed {
            slots[index].removed = true
            slots[index].restartAt = nil
            relay.diagnostics.report("server \(slots[index].entry?.name ?? "?") was removed from the manifest; stopping it")
            runtime.perform(runtime.decideCompleting { session, _ in session.childGone(index, because: "removed from the manifest") })
            for action in handle(.stopRequested, of: index, now: now) { perform(action.1, of: index, now: now, runtime: runtime) }
        }
        for (index, server) in changes.updated {
            slots[index].entry = server
            slots[index].schedule = RestartSchedule(policy: server.restart, startedAt: slots[index].schedule.startedAt)
            runtime.session.withLock { $0.updateChild(index, ToolNamespace.Server(name: server.name, prefixed: server.prefix), startTimeout: server.startTimeoutMilliseconds) }
        }
        for (index, server, configuration) in changes.changed {
            relay.diagnostics.report("server \(server.name) changed in the manifest; starting it again with its new settings")
            slots[index].entry = server
            slots[index].configuration = configuration
            slots[index].schedule = RestartSchedule(policy: server.restart, startedAt: now)
            slots[index].removed = false
            slots[index].status = nil
            runtime.perform(runtime.decideCompleting { session, _ in
                session.updateChild(index, ToolNamespace.Server(name: server.name, prefixed: server.prefix), startTimeout: server.startTimeoutMilliseconds)
                return session.childGone(index, because: "starting again with its new settings from the reloaded manifest")
            })
            if slots[index].process != nil {
                slots[index].replacing = true
                for action in handle(.stopRequested, of: index, now: now) { perform(action.1, of: index, now: now, runtime: runtime) }
            } else {
                slots[index].restartAt = now
            }
        }
        for (server, configuration) in changes.added {
            relay.diagnostics.report("server \(server.name) was added to the manifest; starting it")
            let index = runtime.session.withLock {
                $0.addChild(ToolNamespace.Server(name: server.name, prefixed: server.prefix), startTimeout: server.startTimeoutMilliseconds)
            }
            precondition(index == slots.count, "the session's children and the relay's slots go together")
            slots.append(Slot(configuration: configuration, entry: server, shutdown: ShutdownSequence(graceMilliseconds: grace),
                              schedule: RestartSchedule(policy: server.restart, startedAt: now), restartAt: now))
        }
    }
}
