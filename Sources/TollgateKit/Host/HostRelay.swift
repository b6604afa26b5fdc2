import CTollgateSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs the aggregating gate: starts every child (from the main thread, so `PR_SET_PDEATHSIG`
/// ties each to Tollgate's life), reads the client and each child on threads of their own
/// through one ``HostSession``, and drives each child's ``ShutdownSequence`` and
/// ``RestartSchedule`` from the main thread (``HostServers``). A child that ends on its own
/// leaves the others working, and is started again when its ``RestartPolicy`` says so; a reload
/// of the manifest starts the servers it adds, stops those it removes and restarts those it
/// changes; when the client closes Tollgate's stdin (or SIGINT or SIGTERM arrive), every
/// child's stdin is closed, then SIGTERM and SIGKILL follow for any that linger, and Tollgate
/// exits once all are gone.
public struct HostRelay: Sendable {
    /// The servers to start, in manifest order (the session's children).
    public let servers: [ChildProcess.Configuration]
    /// How each server is restarted (by index; a server without one is never restarted).
    public let restartPolicies: [RestartPolicy]
    /// The manifest entries of the servers (to compare a reloaded manifest with) and how an
    /// entry becomes a process configuration; without them a reload leaves the servers alone.
    public var entries: [Manifest.Server] = []
    /// Turns a reloaded manifest's server entry into a process configuration (or says why not).
    public var configure: (@Sendable (Manifest.Server) -> Result<ChildProcess.Configuration, ReloadRefusal>)?
    /// Message size limit, shutdown grace and the manifest reloader.
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
    /// 1 after a start-up error; else the first failing child's (in manifest order; a child
    /// that could not start counts as failing with its spawn error's code; one restarted after
    /// a failure counts only if it was finally given up; one a reload removed does not count);
    /// else success. Call it from the main thread.
    public func run(session: HostSession, effects: EffectsOwner = EffectsOwner()) -> ExitStatus {
        precondition(servers.count == session.children.count && servers.count <= EventLoop.Event.maxServers)
        let loop = EventLoop()
        diagnostics.writeInBackground()

        var session = session
        var pool = HostServers(relay: self, now: monotonicMilliseconds())
        for index in servers.indices {
            if let failure = pool.spawnInitially(index) {
                diagnostics.report(session.childGone(index, because: "could not start (\(failure))").logs)
            }
        }
        // One input channel per possible child: servers a reload adds take the next ones.
        let inputs = (0..<EventLoop.Event.maxServers).map { OutputChannel(fd: $0 < pool.slots.count ? pool.slots[$0].process?.input ?? -1 : -1) }
        let runtime = GateRuntime(session: session, effects: effects, clientOutput: OutputChannel(fd: 1, closes: false), serverInputs: inputs,
                                  events: loop.eventInput, maxMessageBytes: options.maxMessageBytes, diagnostics: diagnostics)
        for (index, slot) in pool.slots.enumerated() {
            guard let output = slot.process?.output else { continue }
            startThread { runtime.pumpChild(index, from: output) }
        }
        startThread { runtime.pumpClient(from: 0) }

        while true {
            var now = monotonicMilliseconds()
            // The session's timers (call timeouts, the gate's periodic work) share the wait.
            let sessionDeadline = runtime.usesTimers ? runtime.tick(now: now) : nil
            var actions = pool.tick(now: now)
            pool.startDue(now: now, runtime: runtime)
            options.reloader?.watch(now: now) { gate throws(ReloadRefusal) in try reload(gate, pool: &pool, runtime: runtime, now: now) }
            if actions.isEmpty {
                if pool.isFinished { break }
                let deadline = (pool.deadlines + [sessionDeadline, options.reloader?.nextWatchDeadline()].compactMap { $0 }).min()
                let wake = loop.wait(until: deadline, now: now)
                now = monotonicMilliseconds()
                var stop = false
                switch wake.signal {
                case SIGHUP? where options.reloader != nil:
                    options.reloader?.reload(because: "received SIGHUP") { gate throws(ReloadRefusal) in try reload(gate, pool: &pool, runtime: runtime, now: now) }
                case SIGCHLD?, nil:
                    break
                case let signal?:
                    diagnostics.report("received \(ExitStatus.signalName(signal)); shutting the servers down")
                    stop = true
                }
                switch wake.event {
                case .clientClosed?: stop = true
                case .serverClosed(let index)? where pool.slots.indices.contains(index):
                    actions += pool.handle(.serverClosedOutput, of: index, now: now)
                default: break
                }
                if stop { actions += pool.stopAll(now: now) }
                // SIGCHLD may have been coalesced with another signal: look at every child.
                actions += pool.reap(now: now)
            }
            for (index, action) in actions { pool.perform(action, of: index, now: now, runtime: runtime) }
        }
        if runtime.stopReason.withLock({ $0 }) != nil { return .exited(1) }
        return pool.exitStatus
    }

    /// Puts a reloaded manifest's gate in place, then brings the servers in line with it.
    private func reload(_ gate: PolicyGate, pool: inout HostServers, runtime: GateRuntime<HostSession>, now: Int64) throws(ReloadRefusal) {
        let changes = try pool.plan(gate.manifest)
        try runtime.reloadServers(with: gate)
        pool.apply(changes, manifest: gate.manifest, runtime: runtime, now: now)
    }
}
