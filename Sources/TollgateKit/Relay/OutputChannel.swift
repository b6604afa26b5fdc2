import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file descriptor that several threads write whole lines to. Each write holds the lock until
/// every byte is out, so lines never interleave; a blocked reader on the other end blocks the
/// writer (backpressure) instead of growing a queue.
///
/// Closing never waits for a write in progress: a peer that stops reading (a server that floods
/// requests and never reads its input) may hold a writer for as long as it lives, and the
/// shutdown that ends that peer starts with the close. The writer closes the descriptor as it
/// returns (its write fails once the peer is gone).
public final class OutputChannel: Sendable {
    private let descriptor: Mutex<Int32>
    private let closesDescriptor: Bool
    /// Set by ``close()``; a writer that finds it set closes the descriptor.
    private let closing = Atomic<Bool>(false)

    /// Wraps `fd`; `closes` says whether ``close()`` closes the descriptor (false for stdout).
    public init(fd: Int32, closes: Bool = true) {
        descriptor = Mutex(fd)
        closesDescriptor = closes
    }

    /// Writes all bytes; false when the channel is closed or the peer is gone.
    @discardableResult
    public func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard !bytes.isEmpty else { return true }
        return writing { writeAll($0, bytes) }
    }

    /// Writes all bytes; false when the channel is closed or the peer is gone.
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { write($0) }
    }

    /// Writes the pieces one after the other with no other write between them (a line forwarded
    /// from where it was read, with what Tollgate wrote around it); false when the channel is
    /// closed or the peer is gone.
    @discardableResult
    public func write(_ pieces: [UnsafeRawBufferPointer]) -> Bool {
        guard pieces.contains(where: { !$0.isEmpty }) else { return true }
        return writing { fd in pieces.allSatisfy { $0.isEmpty || writeAll(fd, $0) } }
    }

    /// Runs `body` on the descriptor under the lock, unless the channel is closed; a close that
    /// came while it ran closes the descriptor as it returns.
    private func writing(_ body: (Int32) -> Bool) -> Bool {
        descriptor.withLock { fd in
            guard fd >= 0, !closing.load(ordering: .acquiring) else {
                closeNow(&fd)
                return false
            }
            let written = body(fd)
            if closing.load(ordering: .acquiring) { closeNow(&fd) }
            return written
        }
    }

    /// Closes the channel: at once, or, while a write is in progress, as that write returns;
    /// never waits for it. Later writes fail.
    public func close() {
        closing.store(true, ordering: .releasing)
        _ = descriptor.withLockIfAvailable { fd in closeNow(&fd) }
    }

    /// Points the channel at a new descriptor (a restarted child's input), closing the old one.
    public func reopen(fd newFD: Int32) {
        descriptor.withLock { fd in
            closeNow(&fd)
            closing.store(false, ordering: .releasing)
            fd = newFD
        }
    }

    private func closeNow(_ fd: inout Int32) {
        if fd >= 0 && closesDescriptor { _ = Glibc.close(fd) }
        fd = -1
    }
}

/// Writes every byte to `fd`, retrying short writes and interruptions.
func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
        if n > 0 {
            offset += n
        } else if n < 0 && errno == EINTR {
            continue
        } else {
            return false
        }
    }
    return true
}

/// Reads into `buffer`, retrying interruptions; 0 at end of stream, negative on error.
func readRetrying(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer) -> Int {
    while true {
        let n = Glibc.read(fd, buffer.baseAddress!, buffer.count)
        if n < 0 && errno == EINTR { continue }
        return n
    }
}
