import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file descriptor that several threads write whole lines to. Each write holds the lock until
/// every byte is out, so lines never interleave; a blocked reader on the other end blocks the
/// writer (backpressure) instead of growing a queue.
public final class OutputChannel: Sendable {
    private let descriptor: Mutex<Int32>
    private let closesDescriptor: Bool

    /// Wraps `fd`; `closes` says whether ``close()`` closes the descriptor (false for stdout).
    public init(fd: Int32, closes: Bool = true) {
        descriptor = Mutex(fd)
        closesDescriptor = closes
    }

    /// Writes all bytes; false when the channel is closed or the peer is gone.
    @discardableResult
    public func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard !bytes.isEmpty else { return true }
        return descriptor.withLock { fd in
            guard fd >= 0 else { return false }
            return writeAll(fd, bytes)
        }
    }

    /// Writes all bytes; false when the channel is closed or the peer is gone.
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { write($0) }
    }

    /// Closes the channel (after any write in progress); later writes fail.
    public func close() {
        descriptor.withLock { fd in
            if fd >= 0 && closesDescriptor { _ = Glibc.close(fd) }
            fd = -1
        }
    }

    /// Points the channel at a new descriptor (a restarted child's input), closing the old one.
    public func reopen(fd newFD: Int32) {
        descriptor.withLock { fd in
            if fd >= 0 && closesDescriptor { _ = Glibc.close(fd) }
            fd = newFD
        }
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
