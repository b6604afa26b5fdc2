import CTollgateSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The aggregating gate's server processes, as the main thread drives them: one slot per child
/// with its process, shutdown sequence, restart schedule and manifest entry. The decisions are
/// the pure ``ShutdownSequence`` and ``RestartSchedule``; this type carries them out (spawning,
/// signalling, telling the session).
struct HostServers {
    /// One child's process and what drives it.
    struct Slot {
        var configuration: ChildProcess.Configuration
        var entry: Manifest.Server?
        var process: ChildProcess?
        /// Its final status: given up, could not start, or ended at shutdown.
        var status: ExitStatus?
        var shutdown: ShutdownSequence
        var schedule: RestartSchedule
        /// When it starts again (a restart, or a server a reload added or changed).
        var restartAt: Int64?
        /// A reload removed it: stopped, never started again, its status not counted.
        var removed = false
        /// A reload changed it: started again with its new configuration once the old process ended.
        var replacing = false
    }

    let relay: HostRelay
    var slots: [Slot]
    var stopping = false

    /// The slots of the relay's servers (none started yet).
    init(relay: HostRelay, now: Int64) {
        self.relay = relay
        slots = relay.servers.indices.map { index in
            let policy = relay.restartPolicies.indices.contains(index) ? relay.restartPolicies[index] : Self.never
            return Slot(configuration: relay.servers[index], entry: relay.entries.indices.contains(index) ? relay.entries[index] : nil,
                        shutdown: ShutdownSequence(graceMilliseconds: relay.options.shutdownGraceMilliseconds),
                        schedule: RestartSchedule(policy: policy, startedAt: now))
        }
    }

    /// The policy of a server given none: never restarted.
    static let never: RestartPolicy = {
        var policy = RestartPolicy()
        policy.mode = .never
        return policy
    }()

    private var diagnostics: Diagnostics { relay.diagnostics }

    /// Starts server `index` at start-up; returns the spawn error when it could not start.
    mutating func spawnInitially(_ index: Int) -> SpawnError? {
        switch spawn(index) {
        case .success(let process):
            slots[index].process = process
            return nil
        case .failure(let error):
            slots[index].status = .exited(error.exitCode)
            return error
        }
    }

    /// Starts server `index`'s process; says on stderr why it could not.
    private func spawn(_ index: Int) -> Result<ChildProcess, SpawnError> {
        do {
            return .success(try ChildProcess.spawn(slots[index].configuration))
        } catch {
            diagnostics.report("server \(name(index)) could not start: \(error)")
            return .failure(error)
        }
    }

    private func name(_ index: Int) -> String {
        slots[index].entry?.name ?? slots[index].configuration.arguments.first ?? "#\(index)"
    }

    // MARK: - The main loop's questions

    /// Whether every process has ended after the stop.
    var isFinished: Bool { stopping && slots.allSatisfy { $0.process == nil } }

    /// What the main loop waits for besides events: shutdown steps and restarts.
    var deadlines: [Int64] {
        slots.compactMap(\.shutdown.nextDeadline) + (stopping ? [] : slots.compactMap(\.restartAt))
    }

    /// The shutdown steps due at `now`.
    mutating func tick(now: Int64) -> [(Int, ShutdownSequence.Action)] {
        var actions: [(Int, ShutdownSequence.Action)] = []
        for index in slots.indices where slots[index].process != nil {
            actions += slots[index].shutdown.tick(now: now).map { (index, $0) }
        }
        return actions
    }

    /// An event of child `index`'s process.
    mutating func handle(_ event: ShutdownSequence.Event, of index: Int, now: Int64) -> [(Int, ShutdownSequence.Action)] {
        guard slots[index].process != nil else { return [] }
        return slots[index].shutdown.handle(event, now: now).map { (index, $0) }
    }

    /// The client is gone (or a signal came): every process is shut down, nothing restarts.
    mutating func stopAll(now: Int64) -> [(Int, ShutdownSequence.Action)] {
        guard !stopping else { return [] }
        stopping = true
        var actions: [(Int, ShutdownSequence.Action)] = []
        for index in slots.indices {
            slots[index].restartAt = nil  // a restart that was waiting will not happen: its last status stands
            actions += handle(.clientClosed, of: index, now: now)
        }
        return actions
    }

    /// The processes that ended (SIGCHLD may be coalesced, so every one is asked).
    mutating func reap(now: Int64) -> [(Int, ShutdownSequence.Action)] {
        var actions: [(Int, ShutdownSequence.Action)] = []
        for index in slots.indices {
            if let status = slots[index].process?.reap() { actions += handle(.serverExited(status), of: index, now: now) }
        }
        return actions
    }

    /// The status to exit with (see ``HostRelay/run(session:)``).
    var exitStatus: ExitStatus {
        slots.lazy.filter { !$0.removed }.compactMap(\.status).first { $0.shellCode != 0 } ?? .exited(0)
    }

    // MARK: - Carrying out

    /// Carries out a shutdown step of child `index`.
    mutating func perform(_ action: ShutdownSequence.Action, of index: Int, now: Int64, runtime: GateRuntime<HostSession>) {
        guard let process = slots[index].process else { return }
        let grace = relay.options.shutdownGraceMilliseconds
        switch action {
        case .closeServerInput: runtime.serverInputs[index].close()
        case .terminateServer:
            diagnostics.report("server \(name(index)) did not exit within \(grace) ms of its input closing; sending SIGTERM")
            process.signalGroup(SIGTERM)
        case .killServer:
            diagnostics.report("server \(name(index)) ignored SIGTERM; sending SIGKILL")
            process.signalGroup(SIGKILL)
        case .finish(let status):
            let configuration = slots[index].configuration
            if !configuration.limits.isEmpty { diagnostics.report(configuration.limits.explainExit(status, cgroup: configuration.cgroup != nil)) }
            runtime.serverInputs[index].close()
            // Whatever the child left behind in its process group goes with it.
            _ = kill(-process.pid, SIGKILL)
            slots[index].process = nil
            slots[index].shutdown = ShutdownSequence(graceMilliseconds: grace)
            if slots[index].removed {
                return  // the session was told when the reload removed it
            } else if slots[index].replacing {
                slots[index].replacing = false
                slots[index].restartAt = now
            } else if stopping {
                slots[index].status = status
                runtime.perform(runtime.decideCompleting { session, _ in session.childGone(index, because: "\(status)") })
            } else {
                ended(index, status, now: now, runtime: runtime)
            }
        }
    }

    /// Child `index` ended on its own (or could not start again) while Tollgate was not
    /// stopping: its schedule says whether it restarts; either way the session answers what it
    /// owed, and denies its calls meanwhile or from now on.
    private mutating func ended(_ index: Int, _ status: ExitStatus, now: Int64, runtime: GateRuntime<HostSession>) {
        let name = name(index)
        switch slots[index].schedule.ended(status, at: now) {
        case .restart(let time, let attempt, let delay):
            let count = "restart \(attempt) of at most \(slots[index].schedule.policy.maxRestarts) in a row"
            diagnostics.report("server \(name) \(status); restarting it in \(Double(delay) / 1000) s (\(count))")
            slots[index].restartAt = time
            let keepListed = slots[index].schedule.policy.keepListed
            runtime.perform(runtime.decideCompleting { session, _ in
                session.gate.note(.restart)
                return session.childGone(index, because: "\(status); restarting it (\(count))", keepListed: keepListed)
            })
        case .giveUp(let why):
            diagnostics.report("server \(name) \(status); not restarted: \(why); its calls are denied from now on")
            slots[index].status = status
            runtime.perform(runtime.decideCompleting { session, _ in session.childGone(index, because: "\(status)") })
        }
    }

    /// Starts the children whose restart is due (from the main thread, so `PR_SET_PDEATHSIG`
    /// holds): a new process, its own pump, and the session initializes it.
    mutating func startDue(now: Int64, runtime: GateRuntime<HostSession>) {
        for index in slots.indices where !stopping && (slots[index].restartAt ?? .max) <= now {
            slots[index].restartAt = nil
            switch spawn(index) {
            case .success(let process):
                slots[index].process = process
                slots[index].schedule.started(at: now)
                let incarnation = runtime.restarted(index, input: process.input)
                startThread { runtime.pumpChild(index, incarnation: incarnation, from: process.output) }
                runtime.perform(runtime.decideCompleting { session, now in session.childRestarted(index, now: now) })
            case .failure(let error):
                ended(index, .exited(error.exitCode), now: now, runtime: runtime)
            }
        }
    }
}
