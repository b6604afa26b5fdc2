/// The life of one server process seen from Tollgate, as a pure state machine: events in,
/// actions out, time passed in by the caller (monotonic milliseconds), so every path is testable
/// without processes or waiting.
///
/// The sequence: when the client closes Tollgate's stdin (or Tollgate is told to stop by SIGINT,
/// SIGTERM), close the server's stdin; if it is still running after ``grace``, SIGTERM its process
/// group; after another ``grace``, SIGKILL. When the server exits, Tollgate answers what is pending
/// and exits with the server's status; it waits up to ``outputGrace`` for the server's output to
/// drain first.
public struct ShutdownSequence: Sendable {
    /// Something that happened.
    public enum Event: Sendable, Equatable {
        /// The client closed Tollgate's stdin.
        case clientClosed
        /// Tollgate received SIGINT, SIGTERM or SIGHUP.
        case stopRequested
        /// The server closed its stdout.
        case serverClosedOutput
        /// The server process ended.
        case serverExited(ExitStatus)
    }

    /// Something the caller must do.
    public enum Action: Sendable, Equatable {
        case closeServerInput
        case terminateServer
        case killServer
        /// Answer what is pending and exit with this status.
        case finish(ExitStatus)
    }

    /// How long each stage waits.
    public let grace: Int64
    /// How long to wait for the server's output after it exited.
    public let outputGrace: Int64

    private var stopStartedAt: Int64?
    private var terminated = false
    private var killed = false
    private var outputClosed = false
    private var exit: (status: ExitStatus, at: Int64)?
    private var finished = false

    public init(graceMilliseconds: Int64 = 2000, outputGraceMilliseconds: Int64 = 1000) {
        grace = graceMilliseconds
        outputGrace = outputGraceMilliseconds
    }

    /// Feeds an event at time `now`.
    public mutating func handle(_ event: Event, now: Int64) -> [Action] {
        var actions: [Action] = []
        switch event {
        case .clientClosed, .stopRequested:
            if stopStartedAt == nil && exit == nil {
                stopStartedAt = now
                actions.append(.closeServerInput)
            }
        case .serverClosedOutput:
            outputClosed = true
            // A server that stops talking but lives on is shut down the same way.
            if stopStartedAt == nil && exit == nil {
                stopStartedAt = now
                actions.append(.closeServerInput)
            }
        case .serverExited(let status):
            if exit == nil { exit = (status, now) }
        }
        return actions + tick(now: now)
    }

    /// Advances time to `now`.
    public mutating func tick(now: Int64) -> [Action] {
        guard !finished else { return [] }
        if let exit {
            if outputClosed || now - exit.at >= outputGrace {
                finished = true
                return [.finish(exit.status)]
            }
            return []
        }
        guard let start = stopStartedAt else { return [] }
        var actions: [Action] = []
        if !terminated && now - start >= grace {
            terminated = true
            actions.append(.terminateServer)
        }
        if !killed && now - start >= 2 * grace {
            killed = true
            actions.append(.killServer)
        }
        return actions
    }

    /// When ``tick(now:)`` next has something to do, if anything.
    public var nextDeadline: Int64? {
        guard !finished else { return nil }
        if let exit { return outputClosed ? exit.at : exit.at + outputGrace }
        guard let start = stopStartedAt else { return nil }
        if !terminated { return start + grace }
        if !killed { return start + 2 * grace }
        return nil
    }

    /// Whether the sequence has finished.
    public var isFinished: Bool { finished }
}
