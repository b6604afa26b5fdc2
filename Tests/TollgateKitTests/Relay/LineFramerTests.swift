import Testing
@testable import TollgateKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a framer handed out, copied out of its buffer.
enum Framed: Equatable, CustomStringConvertible {
    case line([UInt8])
    case oversized(prefix: [UInt8], length: Int)

    var description: String {
        switch self {
        case .line(let content): "line(\(content.count) bytes)"
        case .oversized(let prefix, let length): "oversized(prefix \(prefix.count) bytes, length \(length))"
        }
    }
}

extension LineFramer {
    /// Takes every line the buffer holds.
    mutating func drain(sourceLocation: SourceLocation = #_sourceLocation) -> [Framed] {
        var framed: [Framed] = []
        while let line = next() {
            switch line {
            case .complete(let content, let withNewline):
                let (bare, full) = withBytes { (Array($0[content]), Array($0[withNewline])) }
                #expect(full == bare + [0x0A], "the range with the newline is the line and its newline", sourceLocation: sourceLocation)
                framed.append(.line(bare))
            case .oversized(let prefix, let length):
                framed.append(.oversized(prefix: prefix, length: length))
            }
        }
        return framed
    }

    /// Reads `bytes` into the buffer with `fill`, as a read would (a fast path for big inputs).
    mutating func put(_ bytes: ArraySlice<UInt8>) {
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            let start = offset
            let n = fill { space in
                let n = min(space.count, bytes.endIndex - start)
                bytes[start..<(start + n)].withUnsafeBytes { space.copyMemory(from: $0) }
                return n
            }
            precondition(n > 0, "no room in the buffer")
            offset += n
        }
    }

    /// Feeds `bytes` in reads of at most `chunk` bytes, taking lines after each read as the read loop does.
    mutating func feed(_ bytes: [UInt8], chunk: Int) -> [Framed] {
        precondition(chunk <= LineFramer.readChunk)
        var framed: [Framed] = []
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + chunk, bytes.count)
            put(bytes[offset..<end])
            framed += drain()
            offset = end
        }
        return framed
    }
}

@Suite("LineFramer")
struct LineFramerTests {
    @Test("a line split across many appends comes out whole, once")
    func splitAcrossAppends() {
        var framer = LineFramer()
        let line = bytes(#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)
        for byte in line {
            framer.append([byte])
            #expect(framer.next() == nil)
        }
        #expect(framer.bufferedCount == line.count)
        framer.append([0x0A])
        #expect(framer.drain() == [.line(line)])
        #expect(framer.bufferedCount == 0)
        #expect(framer.next() == nil)
    }

    @Test("CRLF: the carriage return becomes a tab, and the relay reads such a line")
    func crlf() {
        var framer = LineFramer()
        let message = #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#
        framer.append(bytes(message + "\r\n" + "second\r\n" + "\r\n"))
        let lines = framer.drain()
        #expect(lines == [.line(bytes(message + "\t")), .line(bytes("second\t")), .line(bytes("\t"))])
        var session = RelaySession()
        #expect(session.client(message + "\t") == .passThrough)
        #expect(session.client("\t") == RelayActions(), "a CRLF blank line is blank")
    }

    /// A notification whose params hide a denied call between two raw CRs: to a reader that ends
    /// lines at a CR (Python's universal newlines, Node's readline), the call is a line of its own.
    static let hidingLine = #"{"jsonrpc":"2.0","method":"notifications/x","params":{"hidden":"#
        + "\r" + #"{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"git_commit","arguments":{}}}"# + "\r}}"

    @Test("every raw CR of a line becomes a tab in place, however reads cut the stream; nothing else changes",
          arguments: [1, 2, 3, 7, 64, LineFramer.readChunk])
    func carriageReturnsBecomeTabs(chunk: Int) {
        let lines = ["\r" + Self.hidingLine + "\r\r", "\r", "plain", "a\rb\r\rc\u{2028}d\u{85}"]
        var framer = LineFramer()
        let framed = framer.feed(bytes(lines.joined(separator: "\n") + "\n"), chunk: chunk)
        #expect(framed == lines.map { .line(bytes($0).map { $0 == 0x0D ? 0x09 : $0 }) })
    }

    @Test("a message hiding another between two CRs is framed as the same one message, which no CR or LF splits")
    func hidingMessage() throws {
        var framer = LineFramer()
        framer.append(bytes(Self.hidingLine + "\n"))
        let framed = framer.drain()
        guard framed.count == 1, case .line(let line) = framed[0] else {
            Issue.record("expected one line, got \(framed)")
            return
        }
        #expect(line.count == Self.hidingLine.utf8.count)
        #expect(!line.contains(0x0D) && !line.contains(0x0A))
        #expect(try JSONValue.parse(line).serialized == JSONValue.parse(Self.hidingLine).serialized, "the same JSON")
        var session = RelaySession()
        #expect(session.client(line) == .passThrough)
    }

    @Test("a raw CR inside a string is refused as before: the tab it becomes is refused there too")
    func carriageReturnInString() {
        let line = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\r\"}}"
        var framer = LineFramer()
        framer.append(bytes(line + "\n"))
        guard case .line(let framed)? = framer.drain().first else {
            Issue.record("expected a line")
            return
        }
        #expect(framed == bytes(line).map { $0 == 0x0D ? 0x09 : $0 })
        let original = bytes(line).withUnsafeBytes { ClientLine.read($0) }
        let replaced = framed.withUnsafeBytes { ClientLine.read($0) }
        guard case .malformed(let id, let error) = original, case .malformed(let framedID, let framedError) = replaced else {
            Issue.record("both lines must be refused: \(original), \(replaced)")
            return
        }
        #expect(error.offset == framedError.offset && id == framedID && id == bytes("1"), "refused at the same byte, answered with the same id")
    }

    @Test("the prefix of an oversized line has its CRs replaced too (its id may be echoed)", arguments: [false, true])
    func oversizedPrefix(inOneRead: Bool) {
        var framer = LineFramer(maxLineBytes: 20)
        let line = bytes("{\r\"id\":\r\"a\",\r\"x\":\"" + String(repeating: "y", count: 40) + "\"}")
        if inOneRead {
            framer.append(line + [0x0A])
        } else {
            framer.append(line)
            #expect(framer.drain() == [])
            framer.append([0x0A])
        }
        guard case .oversized(let prefix, let length)? = framer.drain().first else {
            Issue.record("expected an oversized line")
            return
        }
        #expect(length == line.count)
        #expect(prefix == Array(line.map { $0 == 0x0D ? 0x09 : $0 }.prefix(prefix.count)) && !prefix.isEmpty)
    }

    @Test("many lines in one chunk come out in order, empty lines included")
    func manyLines() {
        var framer = LineFramer()
        let lines = (0..<2000).map { $0 % 10 == 0 ? "" : "line \($0)" }
        var stream = bytes(lines.joined(separator: "\n") + "\n")
        #expect(stream.count < LineFramer.readChunk)
        framer.append(stream)
        #expect(framer.drain() == lines.map { .line(bytes($0)) })
        stream = bytes("tail without newline")
        framer.append(stream)
        #expect(framer.drain() == [])
        #expect(framer.finish() == stream.count, "finish reports the dropped partial line")
        #expect(framer.bufferedCount == 0)
    }

    @Test("a line over the limit is reported oversized with a prefix and its length; later lines still frame")
    func oversizedAcrossReads() {
        var framer = LineFramer(maxLineBytes: 100)
        let long = (0..<300).map { UInt8(ascii: "a") + UInt8($0 % 26) }
        framer.append(long)
        #expect(framer.drain() == [])
        framer.append(bytes("tail\n"))
        framer.append(bytes("next\n"))
        let framed = framer.drain()
        #expect(framed.count == 2)
        guard case .oversized(let prefix, let length)? = framed.first else {
            Issue.record("expected an oversized line, got \(framed)")
            return
        }
        #expect(length == 304)
        #expect((long + bytes("tail")).starts(with: prefix))
        #expect(prefix.count >= 101)
        #expect(framed.last == .line(bytes("next")))
    }

    @Test("a line over the limit is oversized even when it arrives whole in one read")
    func oversizedInOneRead() {
        var framer = LineFramer(maxLineBytes: 100)
        let long = [UInt8](repeating: UInt8(ascii: "x"), count: 150)
        framer.append(long + [0x0A] + bytes("ok\n"))
        #expect(framer.drain() == [.oversized(prefix: long, length: 150), .line(bytes("ok"))])
    }

    @Test("the limit is the same however the line is split", arguments: [99, 100, 101, 150])
    func limitBoundary(length: Int) {
        let line = [UInt8](repeating: UInt8(ascii: "y"), count: length)
        let expected: Framed = length <= 100 ? .line(line) : .oversized(prefix: line, length: length)
        for split in [0, 1, 50, 99, 100, 101, length] where split <= length {
            var framer = LineFramer(maxLineBytes: 100)
            framer.append(line[..<split])
            var framed = framer.drain()
            framer.append(Array(line[split...]) + [0x0A])
            framed += framer.drain()
            #expect(framed.count == 1, "split at \(split)")
            switch (framed.first, expected) {
            case (.line(let got)?, .line(let want)): #expect(got == want, "split at \(split)")
            case (.oversized(let prefix, let got)?, .oversized(_, let want)):
                #expect(got == want, "split at \(split)")
                #expect(line.starts(with: prefix))
            default: Issue.record("split at \(split): got \(framed), expected \(expected)")
            }
        }
    }

    @Test("random lines in random reads frame exactly as the lines were written")
    func randomChunking() {
        var random = SplitMix64(seed: 2026)
        let limit = 1000
        for round in 0..<16 {
            var lines: [[UInt8]] = []
            var stream: [UInt8] = []
            for index in 0..<60 {
                let length: Int
                switch Int.random(in: 0..<12, using: &random) {
                case 0: length = 0
                case 1, 2: length = Int.random(in: (limit - 2)...(limit + 2), using: &random)
                case 3: length = Int.random(in: limit...(limit * 5), using: &random)
                case 4: length = Int.random(in: 70_000...140_000, using: &random)
                default: length = Int.random(in: 1...200, using: &random)
                }
                // Each line is told apart by its first and last bytes.
                var line = [UInt8](repeating: UInt8(ascii: "a") + UInt8(index % 26), count: length)
                if length > 0 {
                    line[0] = UInt8(ascii: "0") + UInt8(index % 10)
                    line[length - 1] = UInt8(ascii: "A") + UInt8(round % 26)
                }
                lines.append(line)
                stream += line
                stream += Bool.random(using: &random) ? [0x0D, 0x0A] : [0x0A]
            }
            var framer = LineFramer(maxLineBytes: limit)
            var framed: [Framed] = []
            var largest = 0
            var offset = 0
            while offset < stream.count {
                let size = 1 + (Int.random(in: 0..<LineFramer.readChunk, using: &random) >> Int.random(in: 0...12, using: &random))
                let end = min(offset + size, stream.count)
                framer.put(stream[offset..<end])
                framed += framer.drain()
                largest = max(largest, framer.capacity)
                offset = end
            }
            #expect(largest <= limit + LineFramer.readChunk + LineFramer.readChunk, "round \(round): the buffer stays bounded")
            #expect(framer.finish() == 0)
            #expect(framed.count == lines.count, "round \(round)")
            for (got, line) in zip(framed, lines) {
                switch got {
                case .line(let content):
                    let bare = content.last == LineFramer.carriageReturnReplacement ? Array(content.dropLast()) : content
                    #expect(bare == line, "round \(round)")
                    #expect(content.count <= limit, "round \(round): a line of \(content.count) bytes was kept whole")
                case .oversized(let prefix, let length):
                    #expect(length > limit, "round \(round): a line of \(length) bytes was refused")
                    #expect(length == line.count || length == line.count + 1, "round \(round)")
                    #expect(line.starts(with: prefix.count > line.count ? Array(prefix.dropLast()) : prefix), "round \(round)")
                    #expect(prefix.count <= LineFramer.readChunk)
                    #expect(prefix.count >= min(limit + 1, line.count), "round \(round): prefix of \(prefix.count) bytes")
                }
            }
        }
    }

    @Test("a huge line is skipped with bounded memory; its prefix is its first 64 KiB")
    func hugeOversizedLine() {
        let limit = 1 << 20
        var framer = LineFramer(maxLineBytes: limit)
        var line = [UInt8](repeating: UInt8(ascii: "h"), count: 3 << 20)
        for index in stride(from: 0, to: LineFramer.readChunk + 100, by: 1) { line[index] = UInt8(ascii: "a") + UInt8(index % 26) }
        var framed: [Framed] = []
        var largest = 0
        var offset = 0
        while offset < line.count {
            let end = min(offset + LineFramer.readChunk, line.count)
            framer.put(line[offset..<end])
            framed += framer.drain()
            largest = max(largest, framer.capacity)
            offset = end
        }
        #expect(largest <= limit + LineFramer.readChunk, "the buffer never holds more than the limit and one read")
        #expect(framed.isEmpty)
        #expect(framer.finish() == line.count, "the stream ended inside the skipped line")
        framer.append(bytes("after\n"))
        #expect(framer.drain() == [.line(bytes("after"))])

        framer = LineFramer(maxLineBytes: limit)
        framed = framer.feed(line + [0x0A] + bytes("next\n"), chunk: LineFramer.readChunk)
        #expect(framed == [.oversized(prefix: Array(line[..<LineFramer.readChunk]), length: line.count), .line(bytes("next"))])
    }

    @Test("the buffer shrinks back after a big line")
    func shrinksBack() {
        var framer = LineFramer()
        #expect(framer.capacity == LineFramer.readChunk)
        let big = [UInt8](repeating: UInt8(ascii: "b"), count: 1 << 20)
        let framed = framer.feed(big + [0x0A], chunk: LineFramer.readChunk)
        #expect(framed == [.line(big)])
        #expect(framer.capacity > 4 * LineFramer.readChunk)
        framer.append(bytes("small\n"))
        #expect(framer.capacity == LineFramer.readChunk)
        #expect(framer.drain() == [.line(bytes("small"))])
    }

    @Test("a growing line stays where it is and the buffer grows by at most a quarter more than it holds")
    func growsInPlace() {
        var framer = LineFramer()
        let size = 8 << 20
        var offset = 0
        var start: UnsafeRawPointer?
        while offset < size {
            let n = framer.fill { space in
                let n = min(space.count, size - offset, LineFramer.readChunk)
                memset(space.baseAddress!, Int32(UInt8(ascii: "g")), n)
                return n
            }
            offset += n
            #expect(framer.drain().isEmpty)
            let base = framer.withBytes { $0.baseAddress }
            #expect(start == nil || base == start, "the bytes moved after \(offset)")
            start = base
            #expect(framer.capacity <= offset + offset / 4 + 2 * LineFramer.readChunk, "\(framer.capacity) bytes usable for \(offset)")
        }
        framer.append([0x0A])
        let lines = framer.drain()
        #expect(lines.count == 1 && lines.first == .line([UInt8](repeating: UInt8(ascii: "g"), count: size)))
    }

    @Test("what is left after a large line moves to the start and the rest of the memory is given back")
    func givesBackBehindARemainder() {
        var framer = LineFramer()
        let big = [UInt8](repeating: UInt8(ascii: "b"), count: 1 << 20)
        #expect(framer.feed(big + [0x0A] + bytes("par"), chunk: LineFramer.readChunk) == [.line(big)])
        #expect(framer.capacity > 4 * LineFramer.readChunk)
        framer.append(bytes("tial\n"))
        #expect(framer.capacity <= 2 * LineFramer.readChunk)
        #expect(framer.drain() == [.line(bytes("partial"))])
    }

    @Test("a copy of a framer keeps its own bytes")
    func copiesAreIndependent() {
        var framer = LineFramer()
        framer.append(bytes("one\r\ntw"))
        var copy = framer
        copy.append(bytes("o\n"))
        framer.append(bytes("in\n"))
        #expect(copy.drain() == [.line(bytes("one\t")), .line(bytes("two"))])
        #expect(framer.drain() == [.line(bytes("one\t")), .line(bytes("twin"))])
    }

    @Test("fill passes reads through and ignores end of stream and errors")
    func fillResults() {
        var framer = LineFramer()
        #expect(framer.fill { _ in 0 } == 0)
        #expect(framer.fill { _ in -1 } == -1)
        #expect(framer.bufferedCount == 0)
        let written = framer.fill { space in
            space.copyBytes(from: bytes("ab\ncd"))
            return 5
        }
        #expect(written == 5)
        #expect(framer.drain() == [.line(bytes("ab"))])
        #expect(framer.bufferedCount == 2)
        #expect(framer.finish() == 2)
    }

    @Test("finish counts a skipped line and resets the framer")
    func finishWhileSkipping() {
        var framer = LineFramer(maxLineBytes: 10)
        framer.append([UInt8](repeating: 0x41, count: 25))
        #expect(framer.drain() == [])
        framer.append([UInt8](repeating: 0x41, count: 5))
        #expect(framer.finish() == 30)
        framer.append(bytes("fresh\n"))
        #expect(framer.drain() == [.line(bytes("fresh"))])
    }
}
