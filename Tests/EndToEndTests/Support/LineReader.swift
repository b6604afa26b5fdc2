import Foundation

/// Reads newline-terminated lines from a non-blocking descriptor into one growable buffer.
///
/// Works on raw memory with `memchr`/`memcpy`: the tests run unoptimized, and element-wise
/// generic collection code there costs far too much per byte for 64 MiB lines.
final class LineReader {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var start = 0
    private var end = 0
    private var searched = 0
    private(set) var endOfStream = false

    init(capacity: Int = 1 << 20) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    /// Bytes buffered that are not part of a returned line yet.
    var pendingCount: Int { end - start }

    /// The pending bytes (a partial line), for error messages.
    func pendingPrefix(_ limit: Int = 300) -> String {
        let count = min(limit, end - start)
        return String(decoding: UnsafeBufferPointer(start: base + start, count: count), as: UTF8.self)
    }

    /// The next complete line without its newline, if one is buffered.
    func takeLine() -> [UInt8]? {
        guard searched < end, let hit = memchr(base + searched, 0x0A, end - searched) else {
            searched = end
            return nil
        }
        let newline = UnsafeMutableRawPointer(hit).assumingMemoryBound(to: UInt8.self) - base
        let line = [UInt8](unsafeUninitializedCapacity: newline - start) { buffer, count in
            if newline > start { memcpy(buffer.baseAddress!, base + start, newline - start) }
            count = newline - start
        }
        start = newline + 1
        searched = start
        return line
    }

    /// Reads what `fd` has (waiting up to 100 ms for it); returns false at end of stream.
    func fill(from fd: Int32, pollMilliseconds: Int32) throws -> Bool {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, pollMilliseconds)
        if ready < 0 && errno != EINTR { throw E2EError("poll failed: \(String(cString: strerror(errno)))") }
        guard ready > 0 else { return true }
        makeRoom(atLeast: 1 << 20)
        let got = read(fd, base + end, capacity - end)
        if got > 0 {
            end += got
            return true
        }
        if got == 0 {
            endOfStream = true
            return false
        }
        if errno == EAGAIN || errno == EINTR { return true }
        throw E2EError("read failed: \(String(cString: strerror(errno)))")
    }

    private func makeRoom(atLeast room: Int) {
        if start == end {
            start = 0
            end = 0
            searched = 0
        }
        guard capacity - end < room else { return }
        if start > 0 {
            memmove(base, base + start, end - start)
            end -= start
            searched -= start
            start = 0
        }
        if capacity - end < room {
            let grown = max(capacity * 2, end + room)
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
            memcpy(bigger, base, end)
            base.deallocate()
            base = bigger
            capacity = grown
        }
    }
}
