#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a local approver (I/O, for the relay layer; never under the session's lock): starts the
/// command, writes the request on its stdin and closes it, keeps the start of its stdout as a
/// note, and waits for it to exit. Exit status 0 approves; anything else, a failure to start, or
/// no exit within the time limit (the process group is then killed) denies.
public enum ApproverCommand {
    /// The most stdout kept as the note (the rest is read and dropped).
    static let maxNoteBytes = 200

    /// Runs a job to its end; blocks the calling thread (a thread of its own) until then. A
    /// `cancellation` fired meanwhile kills the approver's process group at once (``ApproverResult/cancelled``).
    public static func run(_ job: ApproverJob, cancellation: ApproverCancellation? = nil) -> ApproverResult {
        let child: ChildProcess
        do throws(SpawnError) {
            child = try ChildProcess.spawn(ChildProcess.Configuration(arguments: job.command))
        } catch {
            return .failed(error.description)
        }
        let deadline = SystemClock.monotonicMilliseconds() + job.timeoutMilliseconds
        // The request is small; an approver that does not read it still gets EOF when it exits.
        _ = job.input.withUnsafeBytes { writeAll(child.input, $0) }
        close(child.input)
        var note: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            if cancellation?.isCancelled == true {
                close(child.output)
                return kill(child, because: .cancelled)
            }
            let remaining = deadline - SystemClock.monotonicMilliseconds()
            guard remaining > 0 else {
                close(child.output)
                return kill(child, because: .timedOut)
            }
            var fds = [pollfd(fd: child.output, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: cancellation?.descriptor ?? -1, events: Int16(POLLIN), revents: 0)]
            // Without a cancellation pipe, look at the flag every 100 ms.
            let hasPipe = (cancellation?.descriptor ?? -1) >= 0
            let wait = cancellation != nil && !hasPipe ? Swift.min(remaining, 100) : remaining
            guard poll(&fds, 2, Int32(clamping: wait)) > 0 else { continue }
            guard fds[0].revents != 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { readRetrying(child.output, $0) }
            if count <= 0 { break }
            note.append(contentsOf: buffer[..<Swift.min(count, Swift.max(0, maxNoteBytes - note.count))])
        }
        close(child.output)
        while true {
            if let status = child.reap() { return .finished(status, note: Self.note(note)) }
            if cancellation?.isCancelled == true { return kill(child, because: .cancelled) }
            guard SystemClock.monotonicMilliseconds() < deadline else { return kill(child, because: .timedOut) }
            usleep(2000)
        }
    }

    private static func kill(_ child: ChildProcess, because result: ApproverResult) -> ApproverResult {
        child.signalGroup(SIGKILL)
        while child.reap() == nil { usleep(1000) }
        return result
    }

    /// The first line of the output, trimmed, as text.
    static func note(_ bytes: [UInt8]) -> String {
        let line = bytes.split(separator: 0x0A, omittingEmptySubsequences: true).first ?? []
        var text = String(decoding: line, as: UTF8.self)
        while text.last?.isWhitespace == true { text.removeLast() }
        return text
    }
}
