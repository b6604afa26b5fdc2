#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import TollgateKit

@Suite("Diagnostics: stderr that nobody reads")
struct StandardErrorWriterTests {
    @Test("the buffer keeps whole lines up to its capacity, drops and counts the rest, and tells the count after the lines")
    func buffer() {
        var buffer = DiagnosticBuffer(capacity: 10)
        #expect(buffer.isEmpty)
        #expect(buffer.append(bytes("abcd\n")) && buffer.append(bytes("efgh\n")))
        let fits = buffer.append(bytes("i\n"))
        #expect(!fits, "a line that does not fit whole is dropped")
        #expect(!buffer.append(bytes("jk\n")) && buffer.dropped == 2)
        let taken = text(buffer.take())
        #expect(taken == "abcd\nefgh\ntollgate: " + DiagnosticBuffer.dropNotice(2, capacity: 10) + "\n")
        #expect(buffer.isEmpty && buffer.dropped == 0)
        #expect(buffer.append(bytes("l\n")) && text(buffer.take()) == "l\n", "no notice without drops")
    }

    @Test("a line is cut to maxLineBytes at a character boundary, saying how much was cut")
    func longLines() {
        #expect(text(Diagnostics.line("short")) == "tollgate: short\n")
        let long = String(repeating: "é", count: 5000)
        let line = Diagnostics.line(long)
        #expect(line.count <= Diagnostics.maxLineBytes && line.last == 0x0A)
        let shown = text(line)
        #expect(shown.hasPrefix("tollgate: ééé") && shown.hasSuffix(" bytes cut)\n"), "\(shown.suffix(40))")
        #expect(!shown.contains("\u{FFFD}"), "no character is cut in half")
    }

    @Test("writes never wait for a reader; lines past the buffer are dropped, and counted once the reader drains")
    func blockedReader() throws {
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        // The pipe is full before the writer starts: its first write blocks.
        let flags = fcntl(fds[1], F_GETFL)
        _ = fcntl(fds[1], F_SETFL, flags | O_NONBLOCK)
        let filler = bytes(String(repeating: "p", count: 99) + "\n")
        var prefilled = 0
        while filler.withUnsafeBytes({ write(fds[1], $0.baseAddress!, $0.count) }) == filler.count { prefilled += 1 }
        _ = fcntl(fds[1], F_SETFL, flags)
        let writer = StandardErrorWriter(fd: fds[1], capacity: 16 << 10)
        writer.start()
        let line = bytes(String(repeating: "x", count: 99) + "\n")
        let count = 5000
        let started = ContinuousClock.now
        for _ in 0..<count { writer.write(line) }
        let elapsed = ContinuousClock.now - started
        #expect(elapsed < .seconds(5), "writing \(count) lines to a pipe nobody reads took \(elapsed)")
        #expect(!writer.flush(timeoutMilliseconds: 100), "the reader has not drained: the flush gives up in time")

        // Drain: every line either arrives or is counted in a notice.
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            var ready = pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)
            if poll(&ready, 1, 200) == 0 {
                if writer.flush(timeoutMilliseconds: 0) { break }
                continue
            }
            let n = read(fds[0], &chunk, chunk.count)
            guard n > 0 else { break }
            received += chunk[..<n]
        }
        let lines = text(received).split(separator: "\n")
        #expect(lines.prefix(prefilled).allSatisfy { $0.hasPrefix("ppp") }, "what was in the pipe comes first")
        let written = lines.dropFirst(prefilled)
        let notices = written.filter { $0.hasPrefix("tollgate: dropped ") }
        let dropped = notices.compactMap { Int($0.dropFirst("tollgate: dropped ".count).prefix { $0.isNumber }) }.reduce(0, +)
        let delivered = written.count - notices.count
        #expect(!notices.isEmpty, "lines were dropped, and a notice says how many")
        #expect(delivered + dropped == count, "\(delivered) delivered + \(dropped) dropped")
        #expect(delivered <= 2 * (16 << 10) / 100, "at most about two buffers' worth arrived: \(delivered)")
        #expect(writer.flush(timeoutMilliseconds: 1000), "drained, nothing is left")
        close(fds[1])
    }

    @Test("a relay waits for its lines while stderr keeps up; while it does not, only once until it catches up")
    func keepingUp() throws {
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        let writer = StandardErrorWriter(fd: fds[1], capacity: 16 << 10)
        writer.start()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        writer.write(bytes("first\n"))
        writer.awaitWritten(timeoutMilliseconds: 5000)
        #expect(read(fds[0], &chunk, chunk.count) == 6, "written by the time the wait returns")

        // Nobody reads: the pipe is full.
        let flags = fcntl(fds[1], F_GETFL)
        _ = fcntl(fds[1], F_SETFL, flags | O_NONBLOCK)
        let filler = [UInt8](repeating: UInt8(ascii: "p"), count: 4096)
        while filler.withUnsafeBytes({ write(fds[1], $0.baseAddress!, $0.count) }) > 0 {}
        _ = fcntl(fds[1], F_SETFL, flags)
        writer.write(bytes("second\n"))
        let first = ContinuousClock.now
        writer.awaitWritten(timeoutMilliseconds: 100)
        let waited = ContinuousClock.now - first
        writer.write(bytes("third\n"))
        let second = ContinuousClock.now
        writer.awaitWritten(timeoutMilliseconds: 100)
        let skipped = ContinuousClock.now - second
        #expect(waited >= .milliseconds(95), "the first wait runs its course: \(waited)")
        #expect(skipped < .milliseconds(90), "the next returns at once: \(skipped)")

        // Drained, it keeps up again: waits resume.
        let deadline = ContinuousClock.now + .seconds(10)
        while !writer.flush(timeoutMilliseconds: 0) && ContinuousClock.now < deadline {
            let n = read(fds[0], &chunk, chunk.count)
            if n <= 0 { usleep(1000) }
        }
        while read(fds[0], &chunk, chunk.count) > 0 {}
        writer.write(bytes("fourth\n"))
        writer.awaitWritten(timeoutMilliseconds: 5000)
        #expect(read(fds[0], &chunk, chunk.count) == 7, "written by the time the wait returns")
    }

    @Test("before start, a line is written at once")
    func synchronousBeforeStart() throws {
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        let writer = StandardErrorWriter(fd: fds[1], capacity: 1024)
        writer.write(bytes("now\n"))
        var chunk = [UInt8](repeating: 0, count: 16)
        let n = read(fds[0], &chunk, chunk.count)
        #expect(n == 4 && text(Array(chunk[..<4])) == "now\n")
        #expect(writer.flush(timeoutMilliseconds: 0))
    }
}
