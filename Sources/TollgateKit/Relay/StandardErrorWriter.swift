#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes Tollgate's diagnostics to stderr. Until ``start()`` each line is written at once (start-up
/// errors); once the relay runs, lines go to a ``DiagnosticBuffer`` (1 MiB) that a thread of its
/// own writes, so a host that does not drain stderr never stalls the relay: when the buffer is
/// full, whole lines are dropped and counted (the count follows once writing resumes).
/// stderr stays blocking (it is shared with the host and the servers); only the writer thread
/// waits on it. ``flush(timeoutMilliseconds:)`` at exit waits a bounded time for what is buffered.
final class StandardErrorWriter: @unchecked Sendable {
    /// The writer of fd 2.
    static let shared = StandardErrorWriter(fd: 2, capacity: 1 << 20)

    private let fd: Int32
    // The state below is guarded by `changed`'s mutex; `changed` signals new lines (to the
    // writer thread) and the end of a write (to a flush).
    private let changed = Condition()
    private var buffer: DiagnosticBuffer
    private var started = false
    private var writing = false
    /// A wait for written lines timed out, and the buffer has not emptied since: stderr is not
    /// keeping up, so nobody waits for it (see ``awaitWritten(timeoutMilliseconds:)``).
    private var stalled = false

    /// A writer of `fd` that keeps at most `capacity` bytes waiting once started.
    init(fd: Int32, capacity: Int) {
        self.fd = fd
        buffer = DiagnosticBuffer(capacity: capacity)
    }

    private func locked<R>(_ body: () -> R) -> R {
        changed.locked(body)
    }

    /// Writes a line (newline included): at once before ``start()``, else through the buffer
    /// (dropped when it is full).
    func write(_ line: [UInt8]) {
        let queued = locked { () -> Bool in
            guard started else { return false }
            buffer.append(line)
            changed.signal()
            return true
        }
        if !queued { line.withUnsafeBytes { _ = writeAll(fd, $0) } }
    }

    /// Starts the writer thread (once); from now on no line waits for stderr. Call it with the
    /// relay's signals blocked, so the thread inherits the mask.
    func start() {
        let first = locked { () -> Bool in
            defer { started = true }
            return !started
        }
        if first { startThread { [self] in run() } }
    }

    private func run() {
        while true {
            let bytes = locked { () -> [UInt8] in
                writing = false
                if buffer.isEmpty { stalled = false }
                changed.broadcast()
                while buffer.isEmpty { changed.wait() }
                writing = true
                return buffer.take()
            }
            bytes.withUnsafeBytes { _ = writeAll(fd, $0) }
        }
    }

    /// Waits until everything buffered was written, or `timeoutMilliseconds` passed; true when
    /// nothing is left. Returns at once when the writer was never started.
    @discardableResult
    func flush(timeoutMilliseconds: Int64) -> Bool {
        locked { waitUntilWritten(timeoutMilliseconds) }
    }

    /// Waits, at most `timeoutMilliseconds`, for the lines queued so far to be written; once a
    /// wait timed out, later ones return at once until the buffer has emptied (a host that does
    /// not read stderr costs one wait, not one per line).
    func awaitWritten(timeoutMilliseconds: Int64) {
        locked {
            guard !stalled else { return }
            if !waitUntilWritten(timeoutMilliseconds) { stalled = true }
        }
    }

    /// Waits with the mutex held until nothing is buffered or being written; false on timeout.
    private func waitUntilWritten(_ timeoutMilliseconds: Int64) -> Bool {
        guard started else { return true }
        let deadline = SystemClock.monotonicMilliseconds() + timeoutMilliseconds
        while !buffer.isEmpty || writing {
            if !changed.wait(untilMilliseconds: deadline) { return buffer.isEmpty && !writing }
        }
        return true
    }
}
