import CTollgateSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs the aggregating gate: starts every child (from the main thread, so `PR_SET_PDEATHSIG`
/// ties each to Tollgate's life), reads the client and each child on threads of their own
/// through one ``HostSession``, and drives one ``ShutdownSequence`` per child from the main
/// thread. A child that ends on its own leaves the others working, and is started again when
/// its ``RestartPolicy`` says so (after a backoff its ``RestartSchedule`` computes); when the
/// client closes Tollgate's stdin (or SIGINT, SIGTERM, SIGHUP arrive), every child's stdin is
/// closed, then SIGTERM and SIGKILL follow for any that linger, and Tollgate exits once all are
/// gone.
public struct HostRelay: Sendable {
    /// The servers to start, in manifest order (the session's children).
    public let servers: [ChildProcess.Configuration]
    /// How each server is restarted (by index; a server without one is never restarted).
    public let restartPolicies: [RestartPolicy]
    /// Message size limit and shutdown grace (shared with the single-server relay).
    public let options: StdioRelay.Options
    /// Where diagnostics go.
    public let diagnostics: Diagnostics

    /// An aggregating relay over `servers`.
    public init(servers: [ChildProcess.Configuration], restartPolicies: [RestartPolicy] = [], options: StdioRelay.Options = StdioRelay.Options(),
                diagnostics: Diagnostics = .standardError) {
        self.servers = servers
        self.restartPolicies = restartPolicies
        self.options = options
        self.diagnostics = diagnostics
    }

    /// Runs until the client is gone and every child has ended; returns the status to exit with:
    /// the first failing child's (in manifest order; a child that could not start counts as
    /// failing with its spawn error's code; a child restarted after a failure counts only if
    /// it was finally given up), else success. Call it from the main thread.
    public func run(session: HostSession) -> ExitStatus {
        precondition(servers.count == session.children.count && servers.count <= HostCore.maxChildren)
        tg_ignore_sigpipe()
        StdioRelay.blockSignals()
        let signals = StdioRelay.signals
        let signalFD = tg_signalfd(signals, Int32(signals.count))

        var session = session
        var children: [ChildProcess?] = []
        var statuses: [ExitStatus?] = []
        let start = monotonicMilliseconds()
        var schedules = servers.indices.map { index in
            RestartSchedule(policy: restartPolicies.indices.contains(index) ? restartPolicies[index] : Self.never, startedAt: start)
        }
        for (index, server) in servers.enumerated() {
            do {
                children.append(try ChildProcess.spawn(server))
                statuses.append(nil)
            } catch {
                diagnostics.report("server \(session.children[index].name) could not start: \(error)")
                children.append(nil)
                statuses.append(.exited(error.exitCode))
                for log in session.childGone(index, because: "could not start (\(error))").logs { diagnostics.report(log) }
            }
        }
        var events: [Int32] = [-1, -1]
        _ = tg_pipe_cloexec(&events)
        let core = HostCore(
            session: session, clientOutput: OutputChannel(fd: 1, closes: false),
            childInputs: children.map { OutputChannel(fd: $0?.input ?? -1) }, events: events[1],
            maxMessageBytes: options.maxMessageBytes, diagnostics: diagnostics)
        for (index, child) in children.enumerated() {
            guard let output = child?.output else { continue }
            startThread { core.pumpChild(index, from: output) }
        }
        startThread { core.pumpClient(from: 0) }

        let grace = options.shutdownGraceMilliseconds
        var shutdowns = children.map { _ in ShutdownSequence(graceMilliseconds: grace) }
        /// When each child given a restart starts again.
        var restarts: [Int64?] = children.map { _ in nil }
        var stopping = false
        while true {
            var now = monotonicMilliseconds()
            // The session's timers (call timeouts, the gate's periodic work) share the wait.
            let sessionDeadline = core.usesTimers ? core.tick(now: now) : nil
            var actions: [(Int, ShutdownSequence.Action)] = []
            for index in children.indices where children[index] != nil {
                actions += shutdowns[index].tick(now: now).map { (index, $0) }
            }
            for index in restarts.indices where !stopping && (restarts[index] ?? .max) <= now {
                restarts[index] = nil
                do {
                    let child = try ChildProcess.spawn(servers[index])
                    children[index] = child
                    shutdowns[index] = ShutdownSequence(graceMilliseconds: grace)
                    schedules[index].started(at: now)
                    let incarnation = core.restarted(index, input: child.input)
                    startThread { core.pumpChild(index, incarnation: incarnation, from: child.output) }
                    core.perform(core.decide { session, now in session.childRestarted(index, now: now) })
                } catch {
                    let name = core.session.withLock { $0.children[index].name }
                    diagnostics.report("server \(name) could not start again: \(error)")
                    ended(index, .exited(error.exitCode), name: name, now: now, core: core, schedules: &schedules, restarts: &restarts, statuses: &statuses)
                }
            }
            options.reloader?.watch(now: now) { gate throws(ReloadRefusal) in try core.reload(with: gate) }
            if actions.isEmpty {
                if stopping && children.allSatisfy({ $0 == nil }) { break }
                let restartDeadline = stopping ? nil : restarts.compactMap { $0 }.min()
                let deadlines = [sessionDeadline, restartDeadline, options.reloader?.nextWatchDeadline()].compactMap { $0 }
                let deadline = (shutdowns.compactMap(\.nextDeadline) + deadlines).min()
                let timeout = deadline.map { Int32(clamping: max(0, $0 - now)) } ?? -1
                var fds = [pollfd(fd: signalFD, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: events[0], events: Int16(POLLIN), revents: 0)]
                _ = poll(&fds, 2, timeout)
                now = monotonicMilliseconds()
                var stop = false
                if fds[0].revents != 0 {
                    let signal = tg_read_signalfd(signalFD)
                    if signal == SIGHUP, let reloader = options.reloader {
                        reloader.reload(because: "received SIGHUP") { gate throws(ReloadRefusal) in try core.reload(with: gate) }
                    } else if signal > 0 && signal != SIGCHLD {
                        diagnostics.report("received \(ExitStatus.signalName(signal)); shutting the servers down")
                        stop = true
                    }
                }
                if fds[1].revents != 0 {
                    var event: UInt8 = 0
                    if read(events[0], &event, 1) == 1 {
                        if event == HostCore.Event.clientClosed {
                            stop = true
                        } else if event >= HostCore.Event.childClosedBase, children.indices.contains(Int(event - HostCore.Event.childClosedBase)) {
                            let index = Int(event - HostCore.Event.childClosedBase)
                            if children[index] != nil { actions += shutdowns[index].handle(.serverClosedOutput, now: now).map { (index, $0) } }
                        }
                    }
                }
                if stop && !stopping {
                    stopping = true
                    for index in restarts.indices where restarts[index] != nil {
                        // A restart that was waiting will not happen: its last status stands.
                        restarts[index] = nil
                    }
                    for index in children.indices where children[index] != nil {
                        actions += shutdowns[index].handle(.clientClosed, now: now).map { (index, $0) }
                    }
                }
                // SIGCHLD may have been coalesced with another signal: look at every child.
                for index in children.indices {
                    if let status = children[index]?.reap() {
                        actions += shutdowns[index].handle(.serverExited(status), now: now).map { (index, $0) }
                    }
                }
            }
            for (index, action) in actions {
                guard let child = children[index] else { continue }
                let name = core.session.withLock { $0.children[index].name }
                switch action {
                case .closeServerInput: core.childInputs[index].close()
                case .terminateServer:
                    diagnostics.report("server \(name) did not exit within \(grace) ms of its input closing; sending SIGTERM")
                    child.signalGroup(SIGTERM)
                case .killServer:
                    diagnostics.report("server \(name) ignored SIGTERM; sending SIGKILL")
                    child.signalGroup(SIGKILL)
                case .finish(let status):
                    if !servers[index].limits.isEmpty { diagnostics.report(servers[index].limits.explainExit(status, cgroup: servers[index].cgroup != nil)) }
                    core.childInputs[index].close()
                    // Whatever the child left behind in its process group goes with it.
                    _ = kill(-child.pid, SIGKILL)
                    children[index] = nil
                    if stopping {
                        statuses[index] = status
                        core.perform(core.decide { session, _ in session.childGone(index, because: "\(status)") })
                    } else {
                        ended(index, status, name: name, now: now, core: core, schedules: &schedules, restarts: &restarts, statuses: &statuses)
                    }
                }
            }
        }
        if core.stopReason.withLock({ $0 }) != nil { return .exited(1) }
        return statuses.first { $0.map { $0.shellCode != 0 } ?? false }.flatMap { $0 } ?? .exited(0)
    }

    /// The policy of a server given none: never restarted.
    private static let never: RestartPolicy = {
        var policy = RestartPolicy()
        policy.mode = .never
        return policy
    }()

    /// Child `index` ended on its own (or could not start again) while Tollgate was not
    /// stopping: its schedule says whether it restarts; either way the session answers what it
    /// owed, and denies its calls meanwhile or from now on.
    private func ended(_ index: Int, _ status: ExitStatus, name: String, now: Int64, core: HostCore,
                       schedules: inout [RestartSchedule], restarts: inout [Int64?], statuses: inout [ExitStatus?]) {
        switch schedules[index].ended(status, at: now) {
        case .restart(let time, let attempt, let delay):
            let reason = "\(status); restarting it (restart \(attempt) of at most \(schedules[index].policy.maxRestarts) in a row)"
            diagnostics.report("server \(name) \(status); restarting it in \(Double(delay) / 1000) s (restart \(attempt) of at most \(schedules[index].policy.maxRestarts) in a row)")
            restarts[index] = time
            let keepListed = schedules[index].policy.keepListed
            core.perform(core.decide { session, _ in session.childGone(index, because: reason, keepListed: keepListed) })
        case .giveUp(let why):
            diagnostics.report("server \(name) \(status); not restarted: \(why); its calls are denied from now on")
            statuses[index] = status
            core.perform(core.decide { session, _ in session.childGone(index, because: "\(status)") })
        }
    }
}
