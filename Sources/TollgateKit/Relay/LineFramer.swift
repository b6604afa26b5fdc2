#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a byte stream into newline-terminated lines inside one reusable buffer.
///
/// Bytes are read straight into the buffer's free space and lines are handed out as ranges of
/// it, so a line is copied at most when the buffer compacts. The buffer holds at most one line of
/// ``maxLineBytes`` plus one read: a longer line is skipped (reported as ``Line/oversized(prefix:length:)``)
/// instead of growing memory without bound. Its memory is a ``LineBuffer``: a growing line is
/// never copied to a larger buffer, and only what was read takes up RAM, so a line of `n` bytes
/// costs `n` bytes plus a read. After a large line the memory is given back.
///
/// Every raw carriage return in a line is replaced by a tab in the buffer before the line is
/// handed out, so what is read, checked and forwarded is one and the same. JSON allows a raw CR
/// only as whitespace between tokens, where a tab means the same; inside a string both are
/// refused. But readers that end a line at a CR (Python's text-mode stdin with universal
/// newlines, as the official MCP Python SDK's stdio server reads it; Node's `readline`) would
/// cut one valid message at it into pieces that may be messages of their own, which no decision
/// saw. No other byte can do that: the other characters readers end lines at (`\x0b`, `\x0c`,
/// `\x1c`–`\x1e`, U+0085, U+2028, U+2029) are not JSON whitespace, so they occur only inside
/// strings, and a piece that ends inside a string is not JSON.
public struct LineFramer {
    /// The default limit for one line: 128 MiB (messages of 64 MB and more relay whole).
    public static let defaultMaxLineBytes = 128 << 20
    /// How much free space a read gets at least.
    public static let readChunk = 64 << 10
    /// What a raw carriage return (0x0D) in a line becomes: a tab (0x09), JSON whitespace like
    /// it, and like it refused inside a string, but a line end to no reader.
    public static let carriageReturnReplacement: UInt8 = 0x09

    /// One unit the framer hands out.
    public enum Line: Equatable {
        /// A complete line: its range in the buffer without the newline, and the range with it.
        case complete(content: Range<Int>, withNewline: Range<Int>)
        /// A line longer than the limit was skipped. `prefix` holds its first bytes (up to 64 KiB,
        /// so an id may still be read); `length` counts everything that was skipped.
        case oversized(prefix: [UInt8], length: Int)
    }

    /// The largest line kept whole.
    public let maxLineBytes: Int
    private var buffer: LineBuffer
    private var start = 0
    private var end = 0
    private var searched = 0
    private var skipping: (prefix: [UInt8], length: Int)?

    /// A framer keeping lines of up to `maxLineBytes` whole. Should the address space for that
    /// not be had, the limit is halved until it can (a longer line is then refused).
    public init(maxLineBytes: Int = LineFramer.defaultMaxLineBytes) {
        var limit = max(maxLineBytes, 1)
        while true {
            if let buffer = LineBuffer(reserving: limit + Self.readChunk, usable: Self.readChunk) {
                self.buffer = buffer
                break
            }
            precondition(limit > Self.readChunk, "cannot reserve \(limit + Self.readChunk) bytes of address space for reading lines")
            limit /= 2
        }
        self.maxLineBytes = limit
    }

    /// The bytes currently buffered and not yet handed out.
    public var bufferedCount: Int { end - start }

    /// The bytes of the buffer that may hold data now (memory is taken only as they are written).
    public var capacity: Int { buffer.usable }

    /// Lets `read` fill free space at the end of the buffer; `read` returns how many bytes it
    /// wrote (0 for end of stream, negative for an error) and that value is returned.
    public mutating func fill(_ read: (UnsafeMutableRawBufferPointer) -> Int) -> Int {
        makeRoom()
        let got = read(UnsafeMutableRawBufferPointer(start: buffer.base + end, count: buffer.usable - end))
        if got > 0 { end += got }
        return got
    }

    /// Appends bytes as if read (for tests and in-memory use); call ``next()`` between appends
    /// of more than ``readChunk`` bytes, as the read loop does.
    public mutating func append(_ bytes: some Collection<UInt8>) {
        var remaining = Array(bytes)[...]
        while !remaining.isEmpty {
            let n = fill { space in
                let n = min(space.count, remaining.count)
                space.copyBytes(from: remaining.prefix(n))
                return n
            }
            remaining = remaining.dropFirst(n)
        }
    }

    /// The next complete line, if the buffer holds one. Ranges stay valid until the next `fill`.
    public mutating func next() -> Line? {
        if let line = peekOversized() { return line }
        guard searched < end else { return nil }
        guard let newline = find(0x0A) else {
            searched = end
            return checkOversized()
        }
        if newline - start > maxLineBytes {
            // The line arrived whole within one read, but it is still over the limit.
            let prefix = Self.replacingCarriageReturns(bytes(start..<min(newline, start + Self.readChunk)))
            let length = newline - start
            start = newline + 1
            searched = start
            return .oversized(prefix: prefix, length: length)
        }
        makeUnique()
        Self.replaceCarriageReturns(in: UnsafeMutableRawBufferPointer(start: buffer.base + start, count: newline - start))
        let line = Line.complete(content: start..<newline, withNewline: start..<(newline + 1))
        start = newline + 1
        searched = start
        return line
    }

    /// Replaces every raw carriage return in `bytes` by ``carriageReturnReplacement``, in place
    /// (one `memchr` pass; a line without a CR is only read).
    public static func replaceCarriageReturns(in bytes: UnsafeMutableRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count, let hit = memchr(base + offset, 0x0D, bytes.count - offset) {
            hit.storeBytes(of: carriageReturnReplacement, as: UInt8.self)
            offset = UnsafeRawPointer(hit) - UnsafeRawPointer(base) + 1
        }
    }

    /// `bytes` with every raw carriage return replaced by ``carriageReturnReplacement``.
    static func replacingCarriageReturns(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var copy = Array(bytes)
        copy.withUnsafeMutableBytes { replaceCarriageReturns(in: $0) }
        return copy
    }

    /// Runs `body` over the buffer's bytes (to read the ranges ``next()`` returned).
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: buffer.base, count: buffer.usable))
    }

    /// Whether the stream ended inside a line: returns that partial line's length (it is dropped).
    public mutating func finish() -> Int {
        let partial = (skipping?.length ?? 0) + (end - start)
        start = end
        searched = end
        skipping = nil
        return partial
    }

    // MARK: - Internals

    private func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: buffer.base + range.lowerBound, count: range.count)
    }

    /// Where `byte` is first found from ``searched`` on.
    private func find(_ byte: UInt8) -> Int? {
        guard let hit = memchr(buffer.base + searched, Int32(byte), end - searched) else { return nil }
        return UnsafeRawPointer(hit) - UnsafeRawPointer(buffer.base)
    }

    private mutating func peekOversized() -> Line? {
        guard var skip = skipping else { return nil }
        guard searched < end else { return nil }
        if let newline = find(0x0A) {
            skip.length += newline - start
            start = newline + 1
            searched = start
            skipping = nil
            return .oversized(prefix: skip.prefix, length: skip.length)
        }
        skip.length += end - start
        start = end
        searched = end
        skipping = skip
        return nil
    }

    /// Starts skipping when the partial line has passed the limit.
    private mutating func checkOversized() -> Line? {
        guard end - start > maxLineBytes else { return nil }
        startSkipping()
        return nil
    }

    /// Skips the partial line: from now on only its length is counted, up to its newline.
    private mutating func startSkipping() {
        skipping = (Self.replacingCarriageReturns(bytes(start..<min(end, start + Self.readChunk))), end - start)
        start = end
        searched = end
    }

    /// A buffer of this framer's own (a copy of the framer shares it until either writes).
    private mutating func makeUnique() {
        guard !isKnownUniquelyReferenced(&buffer) else { return }
        guard let copy = buffer.copy(keeping: start..<end) else {
            preconditionFailure("cannot copy a line buffer")
        }
        buffer = copy
    }

    /// Makes sure a read gets at least ``readChunk`` bytes of room: gives the memory of a large
    /// line back once it is consumed, moves what is left of the buffer to its start, and makes
    /// more of the reservation usable when that is not enough.
    private mutating func makeRoom() {
        makeUnique()
        if start == end {
            start = 0
            end = 0
            searched = 0
        }
        if buffer.usable > 4 * Self.readChunk && end - start < Self.readChunk {
            // Little is left of a large line: move it to the start and give the rest back.
            compact()
            buffer.release(above: max(end + Self.readChunk, Self.readChunk))
        }
        guard buffer.usable - end < Self.readChunk else { return }
        compact()
        guard buffer.usable - end < Self.readChunk else { return }
        // The line outgrows the usable part: more of the reservation (no copy; pages cost
        // memory only once read into), a quarter more than needed so that growing is rare.
        if !buffer.makeUsable(end + max(Self.readChunk, end / 4)) && !buffer.makeUsable(end + Self.readChunk) {
            // The system refuses the memory: the line is refused as if it were too long.
            startSkipping()
            start = 0
            end = 0
            searched = 0
        }
    }

    /// Moves the unconsumed bytes to the start of the buffer.
    private mutating func compact() {
        guard start > 0 else { return }
        memmove(buffer.base, buffer.base + start, end - start)
        end -= start
        searched -= start
        start = 0
    }
}
