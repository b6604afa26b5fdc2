import CTollgateSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The main thread's wait while Tollgate runs, for one server or several: the signals it
/// handles (read from a signalfd), the events the reading threads post (a pipe), and the
/// earliest deadline (timers, shutdown steps, restarts, the manifest watch).
struct EventLoop {
    /// What a reading thread tells the main thread.
    enum Event: Equatable {
        /// The client closed Tollgate's stdin.
        case clientClosed
        /// Server `route` closed its stdout.
        case serverClosed(Int)
        /// A thread set a timer earlier than the one the main thread waits for.
        case timerChanged

        /// The most servers one run fronts (one event byte each).
        static let maxServers = 200

        var byte: UInt8 {
            switch self {
            case .clientClosed: 1
            case .serverClosed(let route): UInt8(2 + route)
            case .timerChanged: 255
            }
        }

        init?(byte: UInt8) {
            switch byte {
            case 1: self = .clientClosed
            case 255: self = .timerChanged
            case 2..<UInt8(2 + Self.maxServers): self = .serverClosed(Int(byte) - 2)
            default: return nil
            }
        }
    }

    /// What woke the loop.
    struct Wake {
        /// A signal (SIGCHLD, SIGHUP, SIGINT, SIGTERM), if one came.
        var signal: Int32?
        /// A thread's event, if one came.
        var event: Event?
    }

    /// The signals read from the signalfd, blocked in every thread.
    static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGCHLD]

    /// Blocks ``signals`` in the calling thread and every thread it starts from now on, and
    /// ignores the signals of failed writes (SIGPIPE, SIGXFSZ). Call it before any thread
    /// starts (a thread that leaves them unblocked would take a signal the loop waits for).
    static func blockSignals() {
        tg_ignore_write_signals()
        _ = tg_block_signals(signals, Int32(signals.count))
    }

    private let signalFD: Int32
    private let pipe: [Int32]

    /// Blocks the signals and opens the signalfd and the event pipe (for the life of the process:
    /// threads may post to the pipe until it ends). Open it once nothing can fail before the loop
    /// runs, so that no caller has to close it; block the signals (``blockSignals()``) earlier.
    init() {
        Self.blockSignals()
        signalFD = tg_signalfd(Self.signals, Int32(Self.signals.count))
        var fds: [Int32] = [-1, -1]
        _ = tg_pipe_cloexec(&fds)
        pipe = fds
    }

    /// Where the reading threads post their events.
    var eventInput: Int32 { pipe[1] }

    /// Waits until a signal or an event comes, or until `deadline` (monotonic milliseconds;
    /// nil: no limit).
    func wait(until deadline: Int64?, now: Int64) -> Wake {
        let timeout = deadline.map { Int32(clamping: max(0, $0 - now)) } ?? -1
        var fds = [pollfd(fd: signalFD, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: pipe[0], events: Int16(POLLIN), revents: 0)]
        _ = poll(&fds, 2, timeout)
        var wake = Wake()
        if fds[0].revents != 0 {
            let signal = tg_read_signalfd(signalFD)
            if signal > 0 { wake.signal = signal }
        }
        if fds[1].revents != 0 {
            var byte: UInt8 = 0
            if read(pipe[0], &byte, 1) == 1 { wake.event = Event(byte: byte) }
        }
        return wake
    }
}
