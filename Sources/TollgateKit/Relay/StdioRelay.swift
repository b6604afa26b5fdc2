import CTollgateSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs one relay: starts the server, pumps lines both ways through a ``RelaySession`` on two
/// threads, and drives the ``ShutdownSequence`` from the main thread until the server is gone.
public struct StdioRelay: Sendable {
    /// Tunables of a relay.
    public struct Options: Sendable {
        /// The largest message read whole; longer ones are refused.
        public var maxMessageBytes = LineFramer.defaultMaxLineBytes
        /// The wait between closing the server's stdin, SIGTERM and SIGKILL.
        public var shutdownGraceMilliseconds: Int64 = 2000
        /// How long requests are still answered (with an error) when the server cannot start.
        public var startFailureAnswerMilliseconds: Int64 = 2000
        /// Reloads the manifest on SIGHUP (and when it changes, if watched); without one SIGHUP
        /// shuts Tollgate down like SIGTERM.
        public var reloader: ManifestReloader?

        public init() {}
    }

    public let server: ChildProcess.Configuration
    public let options: Options
    public let diagnostics: Diagnostics

    public init(server: ChildProcess.Configuration, options: Options = Options(), diagnostics: Diagnostics = .standardError) {
        self.server = server
        self.options = options
        self.diagnostics = diagnostics
    }

    /// Blocks the signals the main loop reads (``EventLoop/blockSignals()``).
    public static func blockSignals() { EventLoop.blockSignals() }

    /// Runs until the server is gone and returns the status to exit with (the server's), or
    /// throws when the server could not start (after answering requests already sent). The
    /// gate's decisions are carried out on `effects`. Call it from the main thread.
    public func run(session: RelaySession, effects: EffectsOwner = EffectsOwner()) throws(SpawnError) -> ExitStatus {
        EventLoop.blockSignals()
        diagnostics.writeInBackground()

        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(server)
        } catch {
            Self.refuseRequests(because: error.description, options: options)
            throw error
        }
        // Opened once the server runs, so a failed start leaves no descriptor of it open; the
        // signals were blocked before, so a SIGCHLD meanwhile waits for it.
        let loop = EventLoop()

        let runtime = GateRuntime(
            session: session, effects: effects, clientOutput: OutputChannel(fd: 1, closes: false),
            serverInputs: [OutputChannel(fd: child.input)], events: loop.eventInput,
            maxMessageBytes: options.maxMessageBytes, diagnostics: diagnostics)
        let serverOutput = child.output
        startThread { runtime.pumpClient(from: 0) }
        startThread { runtime.pumpServer(from: serverOutput) }

        var shutdown = ShutdownSequence(graceMilliseconds: options.shutdownGraceMilliseconds)
        while true {
            let now = monotonicMilliseconds()
            // The session's timers (call timeouts, the gate's periodic work) share the wait.
            let sessionDeadline = runtime.usesTimers ? runtime.tick(now: now) : nil
            var actions = shutdown.tick(now: now)
            options.reloader?.watch(now: now) { gate throws(ReloadRefusal) in try runtime.reloadOneServer(with: gate) }
            if actions.isEmpty {
                let deadline = [shutdown.nextDeadline, sessionDeadline, options.reloader?.nextWatchDeadline()].compactMap { $0 }.min()
                let wake = loop.wait(until: deadline, now: now)
                let now = monotonicMilliseconds()
                switch wake.signal {
                case SIGCHLD?:
                    if let status = child.reap() { actions += shutdown.handle(.serverExited(status), now: now) }
                case SIGHUP? where options.reloader != nil:
                    options.reloader?.reload(because: "received SIGHUP") { gate throws(ReloadRefusal) in try runtime.reloadOneServer(with: gate) }
                case let signal?:
                    diagnostics.report("received \(ExitStatus.signalName(signal)); shutting the server down")
                    actions += shutdown.handle(.stopRequested, now: now)
                case nil:
                    break
                }
                switch wake.event {
                case .clientClosed?: actions += shutdown.handle(.clientClosed, now: now)
                case .serverClosed?: actions += shutdown.handle(.serverClosedOutput, now: now)
                case .timerChanged?, nil: break  // a timer changed: the loop arms it again
                }
                // SIGCHLD may have been coalesced with another signal; look again.
                if let status = child.reap() { actions += shutdown.handle(.serverExited(status), now: now) }
            }
            for action in actions {
                switch action {
                case .closeServerInput: runtime.serverInput.close()
                case .terminateServer:
                    diagnostics.report("the server did not exit within \(options.shutdownGraceMilliseconds) ms of its input closing; sending SIGTERM")
                    child.signalGroup(SIGTERM)
                case .killServer:
                    diagnostics.report("the server ignored SIGTERM; sending SIGKILL")
                    child.signalGroup(SIGKILL)
                case .finish(let status):
                    if !server.limits.isEmpty { diagnostics.report(server.limits.explainExit(status, cgroup: server.cgroup != nil)) }
                    let replies = runtime.withSession { $0.serverWentAway(because: "the server \(status) before answering") }
                    runtime.clientOutput.write(replies)
                    // Whatever the server left behind in its process group goes with it.
                    _ = kill(-child.pid, SIGKILL)
                    return status
                }
            }
        }
    }

    /// Tollgate cannot serve (the server could not start, the manifest cannot be used): answers
    /// every request that arrives on stdin within ``Options/startFailureAnswerMilliseconds`` with
    /// an error carrying `reason` (a host has usually sent `initialize`, or a 2026-07-28 client
    /// its first request, already), so the client shows why instead of a closed pipe.
    public static func refuseRequests(because reason: String, options: Options = Options()) {
        var session = RelaySession()
        _ = session.serverWentAway(because: reason)
        var framer = LineFramer(maxLineBytes: options.maxMessageBytes)
        let deadline = monotonicMilliseconds() + options.startFailureAnswerMilliseconds
        let output = OutputChannel(fd: 1, closes: false)
        while true {
            let remaining = deadline - monotonicMilliseconds()
            guard remaining > 0 else { return }
            var fds = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0)]
            guard poll(&fds, 1, Int32(clamping: remaining)) > 0 else { return }
            guard framer.fill({ readRetrying(0, $0) }) > 0 else { return }
            while let line = framer.next() {
                guard case .complete(let content, _) = line else { continue }
                let actions = framer.withBytes { session.clientLine(UnsafeRawBufferPointer(rebasing: $0[content])) }
                if let reply = actions.reply { output.write(reply) }
            }
        }
    }
}

/// Milliseconds on the monotonic clock.
func monotonicMilliseconds() -> Int64 { SystemClock.monotonicMilliseconds() }
