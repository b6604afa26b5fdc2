import Testing
@testable import TollgateKit
#if canImport(Glibc)
import Glibc
#endif

@Suite("ReadLoop: every pump's loop")
struct ReadLoopTests {
    @Test("a read of many lines is settled in groups of at most maxLinesPerGroup, each settled before any of its lines is handed on, in order, with its bytes")
    func groups() throws {
        let count = 2 * ReadLoop<Int>.maxLinesPerGroup + 452
        let text = (0..<count).map { "\($0)\n" }.joined()
        let file = TemporaryFile(contents: Array(text.utf8))
        let fd = file.openForReading()
        defer { close(fd) }
        var loop = ReadLoop<Int>(maxLineBytes: 1 << 20)
        var events: [String] = []
        var applied: [String] = []
        var settled = 0
        let partial = loop.run(fd: fd, decide: { line in (Int(String(decoding: line, as: UTF8.self)) ?? -1, .none) }, oversized: { _, _ in -2 },
                               settle: { decided, tickets in
                                   #expect(tickets.count == decided.count)
                                   #expect(decided.first == settled, "groups follow one another")
                                   events.append("settle \(decided.count)")
                                   settled += decided.count
                               }, apply: { number, bytes in
                                   #expect(number < settled, "a line is handed on only once its group was settled")
                                   applied.append(String(decoding: bytes, as: UTF8.self))
                               }, endOfRead: { events.append("end") })
        #expect(partial == 0)
        #expect(text.utf8.count < LineFramer.readChunk, "one read")
        #expect(events == ["settle 1024", "settle 1024", "settle 452", "end"])
        #expect(applied.joined() == text)
    }
}
