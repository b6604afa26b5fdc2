import Synchronization
import Testing
@testable import TollgateKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A temporary file, removed when the value is deinitialized.
final class TemporaryFile {
    let path: String

    init(contents: [UInt8] = []) {
        var template = Array("/tmp/tollgate-test-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        precondition(fd >= 0, "mkstemp failed")
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        writeFully(fd, contents)
        close(fd)
    }

    deinit { unlink(path) }

    /// Opens the file for reading.
    func openForReading() -> Int32 { open(path, O_RDONLY) }

    /// Opens the file for writing (truncated).
    func openForWriting() -> Int32 { open(path, O_WRONLY | O_TRUNC) }

    /// The file's contents.
    var contents: [UInt8] {
        let fd = openForReading()
        defer { close(fd) }
        return readToEnd(fd)
    }
}

/// Counts down from a number across threads.
final class Countdown: Sendable {
    private let count: Mutex<Int>

    init(_ count: Int) { self.count = Mutex(count) }

    /// Counts one down; true for the last one.
    func countDown() -> Bool {
        count.withLock { count in
            count -= 1
            return count == 0
        }
    }
}

/// A relay core over files: what the pumps read comes from a file, what they write goes to files.
private struct Harness {
    let clientOutput = TemporaryFile()
    let serverInput = TemporaryFile()
    let events: [Int32]
    let logs = LogSink()
    let core: GateRuntime<RelaySession>

    init(session: RelaySession = RelaySession(), effects: EffectsOwner = EffectsOwner(), maxMessageBytes: Int = LineFramer.defaultMaxLineBytes) {
        var fds: [Int32] = [-1, -1]
        _ = fds.withUnsafeMutableBufferPointer { pipe($0.baseAddress!) }
        events = fds
        core = GateRuntime(session: session, effects: effects, clientOutput: OutputChannel(fd: clientOutput.openForWriting()),
                           serverInputs: [OutputChannel(fd: serverInput.openForWriting())], events: fds[1],
                           maxMessageBytes: maxMessageBytes, diagnostics: logs.diagnostics)
    }

    func pumpClient(_ input: String) { pump(input) { core.pumpClient(from: $0) } }
    func pumpServer(_ input: String) { pump(input) { core.pumpServer(from: $0) } }

    private func pump(_ input: String, _ body: (Int32) -> Void) {
        let file = TemporaryFile(contents: bytes(input))
        let fd = file.openForReading()
        body(fd)
        close(fd)
    }

    /// The event the pump posted when it finished.
    func event() -> EventLoop.Event? {
        var byte: UInt8 = 0
        return read(events[0], &byte, 1) == 1 ? EventLoop.Event(byte: byte) : nil
    }

    func finish() {
        core.clientOutput.close()
        core.serverInput.close()
        close(events[0])
        close(events[1])
    }
}

@Suite("The runtime with one server, over files", .serialized)
struct GateRuntimeOneServerTests {
    @Test("the client pump forwards, re-serializes, answers, drops and reports a partial last line")
    func clientPump() throws {
        let harness = Harness(session: RelaySession(gate: DenyingGate(denying: "rm")))
        defer { harness.finish() }
        let input = [
            #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#,
            #"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{ "name" : "echo" , "arguments":{"t":"\u0041"}}}"#,
            "not json",
            "",
            #"{"jsonrpc":"2.0","method":"tools/call","params":{"name":"x"}}"#,
            #"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"rm"}}"#,
        ].joined(separator: "\n") + "\n" + #"{"partial":"#
        harness.pumpClient(input)
        #expect(harness.event() == .clientClosed)

        #expect(text(harness.serverInput.contents) == #"""
            {"jsonrpc":"2.0","id":1,"method":"ping"}
            {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"t":"A"}}}

            """#)
        let replies = splitLines(harness.clientOutput.contents)
        #expect(replies.count == 2)
        #expect(replies.first.flatMap { try? json($0) }?["error"]?["code"] == .number("-32700"))
        #expect(replies.first.flatMap(idText(ofLine:)) == "null")
        #expect(replies.last.flatMap { try? json($0) }?["result"]?["isError"] == .bool(true))
        #expect(replies.last.flatMap(idText(ofLine:)) == "3")

        let logs = harness.logs.lines
        #expect(logs.contains { $0.contains("malformed") })
        #expect(logs.contains { $0.contains("notification") })
        #expect(logs.contains { $0.contains("denied rm") })
        #expect(logs.contains { $0.contains("dropped 11 bytes") })
        #expect(harness.core.session.withLock { $0.pending.count } == 2)
    }

    @Test("a held call approved by a later line goes out as it was checked, whatever that line holds where the call's params were",
          arguments: [false, true])
    func approvedCallBytes(large: Bool) throws {
        let manifest = try #require(try? parseManifest(#"{"version": 1, "tools": {"echo": {"approval": "ask"}}}"#).get())
        var session = RelaySession(gate: PolicyGate(manifest: manifest, diagnostics: .silent, workingDirectory: "/tmp", effects: CallEffects()))
        session.approvals = ApprovalState(nonce: "n")
        let harness = Harness(session: session)
        defer { harness.finish() }
        let text = String(repeating: "x", count: large ? 70_000 : 8)
        let call = #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"p":"\#(text)"}}}"#
        // The answer (in the same read) holds another call's params, of the same length, where
        // the call's params were (byte 55).
        let params = #"{"name":"echo","arguments":{"p":"\#(text)"}}"#
        let evil = #"{"name":"evil","arguments":{"#  + String(repeating: " ", count: params.utf8.count - 30) + "}}"
        let answer = #"{"jsonrpc":"2.0","id":"tollgate-n-1","p":123456789,"q":"# + evil + #","result":{"action":"accept","content":{}}}"#
        #expect(Array(answer.utf8)[55..<55 + params.utf8.count].elementsEqual(evil.utf8) && Array(call.utf8)[55..<55 + params.utf8.count].elementsEqual(params.utf8))
        harness.pumpClient(#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{"elicitation":{}},"clientInfo":{"name":"c","version":"1"}}}"#
                           + "\n" + call + "\n" + answer + "\n")
        let sent = splitLines(harness.serverInput.contents).compactMap { try? json($0) }.filter { $0["method"] == "tools/call" }
        #expect(sent.count == 1, "the approved call, and only it, reaches the server")
        #expect(sent.first?["params"]?["name"] == "echo" && sent.first?["params"]?["arguments"]?["p"]?.stringValue == text,
                "the server gets the checked call")
    }

    @Test("one read's calls go to disk together: 20 decision records in one audit write, 20 reservations in one ledger write; the calls over the cap are taken back")
    func groupCommitPerRead() throws {
        let directory = TemporaryDirectory()
        let log = try AuditLog.open(path: directory.file("audit.log"), fsync: .always)
        let manifest = try #require(try? parseManifest(#"{"version": 1, "budgets": {"calls": 15}, "tools": {"echo": {}}}"#).get())
        let limits = manifest.budgetLimits
        let ledger = try Ledger(path: directory.file("ledger"), limits: limits, sync: .everyRecord, now: wallMilliseconds())
        let effects = CallEffects(audit: AuditTrail(log: log, arguments: .full, server: nil), limits: limits, account: ledger, diagnostics: .silent)
        let gate = PolicyGate(manifest: manifest, diagnostics: .silent, workingDirectory: "/tmp", effects: effects)
        let harness = Harness(session: RelaySession(gate: gate), effects: EffectsOwner(effects))
        defer { harness.finish() }
        let ledgerWrites = ledger.stats.writes
        let calls = (1...20).map { #"{"jsonrpc":"2.0","id":\#($0),"method":"tools/call","params":{"name":"echo","arguments":{}}}"# }
        harness.pumpClient(calls.joined(separator: "\n") + "\n")
        // 20 decision records and the cap's crossings at 50, 80 and 100 %.
        #expect(log.stats.writes == 1 && log.stats.records == 23 && log.stats.syncs == 1, "\(log.stats)")
        let events = try auditLines(directory.file("audit.log")).compactMap { try json($0).objectValue?["event"]?.stringValue }
        #expect(events.filter { $0 == "decision" }.count == 20 && events.filter { $0 == "budget" }.count == 3, "\(events)")
        #expect(ledger.stats.writes == ledgerWrites + 1)
        let forwarded = splitLines(harness.serverInput.contents)
        let replies = splitLines(harness.clientOutput.contents)
        #expect(forwarded.count == 15 && replies.count == 5, "\(forwarded.count) forwarded, \(replies.count) answered")
        #expect(replies.compactMap(idText(ofLine:)) == (16...20).map(String.init))
        #expect(replies.allSatisfy { String(decoding: $0, as: UTF8.self).contains("budget_exhausted") })
    }

    @Test("an oversized client message is refused with its id; the next one still goes through")
    func oversizedClientMessage() throws {
        let harness = Harness(maxMessageBytes: 300)
        defer { harness.finish() }
        let big = #"{"jsonrpc":"2.0","id":77,"method":"tools/call","params":{"name":"x","arguments":{"blob":""# + String(repeating: "x", count: 1000) + #""}}}"#
        harness.pumpClient(big + "\n" + #"{"jsonrpc":"2.0","id":78,"method":"ping"}"# + "\n")
        let replies = splitLines(harness.clientOutput.contents)
        #expect(replies.count == 1)
        let reply = try json(#require(replies.first))
        #expect(reply["id"] == .number("77"))
        #expect(reply["error"]?["code"] == .number("-32600"))
        #expect(reply["error"]?["message"]?.stringValue?.contains("\(big.utf8.count) bytes") == true)
        #expect(text(harness.serverInput.contents) == #"{"jsonrpc":"2.0","id":78,"method":"ping"}"# + "\n")
        #expect(harness.logs.lines.contains { $0.contains("refused a client message") })
    }

    @Test("the server pump relays responses and messages, drops garbage, answers an oversized response")
    func serverPump() throws {
        let harness = Harness(maxMessageBytes: 300)
        defer { harness.finish() }
        harness.core.session.withLock { session in
            _ = session.client(#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)
            _ = session.client(#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"big"}}"#)
        }
        let response = #"{"jsonrpc":"2.0","id":1,"result":{}}"#
        let notification = #"{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info"}}"#
        let oversized = #"{"jsonrpc":"2.0","id":2,"result":{"content":[{"type":"text","text":""# + String(repeating: "y", count: 1000) + #""}]}}"#
        harness.pumpServer([response, notification, "garbage", oversized].joined(separator: "\n") + "\n")
        #expect(harness.event() == .serverClosed(0))

        let lines = splitLines(harness.clientOutput.contents)
        #expect(lines.count == 3)
        #expect(lines.first.map(text) == response)
        #expect(lines.dropFirst().first.map(text) == notification)
        let answer = try json(#require(lines.last))
        #expect(answer["id"] == .number("2"))
        #expect(answer["result"]?["_meta"]?["dev.tollgate/denial"]?["code"] == .string("server_unavailable"))
        #expect(harness.serverInput.contents.isEmpty, "nothing is written back to the server")
        #expect(harness.core.session.withLock { $0.pending.count } == 0)
        #expect(harness.logs.lines.contains { $0.contains("malformed") })
        #expect(harness.logs.lines.contains { $0.contains("dropped a server message of") })
    }

    @Test("no raw CR crosses the relay either way: what is forwarded has each one as a tab, and is otherwise the bytes read",
          arguments: [false, true])
    func carriageReturnsForwardedAsTabs(withGate: Bool) throws {
        let harness = Harness(session: withGate ? RelaySession(gate: DenyingGate(denying: "rm")) : RelaySession())
        defer { harness.finish() }
        let hidden = #"{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"rm"}}"#
        let fromClient = [
            #"{"jsonrpc":"2.0","method":"notifications/x","params":{"hidden":"# + "\r" + hidden + "\r}}",
            "[\r" + #"{"jsonrpc":"2.0","id":1,"method":"ping"}"# + "\r,\r" + #"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"x":"# + "\r" + hidden + "\r}}}" + "\r]",
            #"{"jsonrpc":"2.0","id":3,"method":"ping"}"# + "\r",
        ]
        harness.pumpClient(fromClient.joined(separator: "\n") + "\n")
        let fromServer = [
            #"{"jsonrpc":"2.0","id":3,"result":{"x":"# + "\r" + #"{"jsonrpc":"2.0","id":2,"result":{}}"# + "\r}}",
            "\r" + #"{"jsonrpc":"2.0","method":"notifications/y"}"# + "\r\r",
        ]
        harness.pumpServer(fromServer.joined(separator: "\n") + "\n")
        let toServer = harness.serverInput.contents
        let toClient = harness.clientOutput.contents
        #expect(!toServer.contains(0x0D) && !toClient.contains(0x0D))
        let tabbed = { (line: String) in String(decoding: bytes(line).map { $0 == 0x0D ? 0x09 : $0 }, as: UTF8.self) }
        #expect(text(toClient) == fromServer.map(tabbed).joined(separator: "\n") + "\n")
        let forwarded = text(toServer).split(separator: "\n").map(String.init)
        #expect(forwarded.count == 3 && forwarded.first == tabbed(fromClient[0]) && forwarded.last == tabbed(fromClient[2]), "\(forwarded)")
        // The batch's call is forwarded as its original bytes without a gate, re-serialized from what was checked with one.
        #expect(try JSONValue.parse(forwarded[1]).serialized == JSONValue.parse(fromClient[1]).serialized, "\(forwarded)")
    }

    @Test("large lines go out whole and in order among small ones; a large call as exactly its re-serialization, whether its params came in that form or not",
          arguments: [false, true])
    func largeLines(withGate: Bool) throws {
        let harness = Harness(session: withGate ? RelaySession(gate: DenyingGate(denying: "rm")) : RelaySession())
        defer { harness.finish() }
        let large = String(repeating: "0123456789abcdef", count: 20_000)
        let compact = #"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"\#(large)"}}}"#
        // Another spelling of the same call: whitespace, an escape, another member order in the envelope.
        let spaced = #"{"method":"tools/call", "id":3, "jsonrpc":"2.0","params":{ "name":"echo", "arguments":{"text":"A\#(large)"}}}"#
        let lines = [
            #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#,
            compact,
            #"{"jsonrpc":"2.0","method":"notifications/x","params":{"blob":"\#(large)"}}"#,
            spaced,
            #"{"jsonrpc":"2.0","id":4,"method":"ping"}"#,
        ]
        harness.pumpClient(lines.joined(separator: "\n") + "\n")
        let forwarded = splitLines(harness.serverInput.contents).map(text)
        let expected = withGate
            ? [lines[0], compact, lines[2], #"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"text":"A\#(large)"}}}"#, lines[4]]
            : lines
        #expect(forwarded.count == expected.count)
        for (index, (got, want)) in zip(forwarded, expected).enumerated() {
            #expect(got == want, "line \(index): \(got.prefix(120))… (\(got.utf8.count) bytes) instead of \(want.prefix(120))… (\(want.utf8.count) bytes)")
        }
        #expect(harness.clientOutput.contents.isEmpty)

        let response = #"{"jsonrpc":"2.0","id":2,"result":{"content":[{"type":"text","text":"\#(large)"}]}}"#
        harness.pumpServer(#"{"jsonrpc":"2.0","id":1,"result":{}}"# + "\n" + response + "\n")
        #expect(splitLines(harness.clientOutput.contents).map(text) == [#"{"jsonrpc":"2.0","id":1,"result":{}}"#, response])
    }

    @Test("when the server stops reading, every request is answered once")
    func serverUnreachable() throws {
        let harness = Harness()
        defer { harness.finish() }
        harness.core.serverInput.close()
        harness.pumpClient([
            #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#,
            #"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo"}}"#,
            #"{"jsonrpc":"2.0","id":3,"method":"ping"}"#,
        ].joined(separator: "\n") + "\n")
        let lines = splitLines(harness.clientOutput.contents)
        let ids = lines.compactMap(idText(ofLine:))
        #expect(ids.sorted() == ["1", "2", "3"])
        for line in lines {
            let value = try json(line)
            if value["id"] == .number("2") {
                #expect(value["result"]?["isError"] == .bool(true))
            } else {
                #expect(value["error"]?["code"] == .number("-32603"))
            }
        }
        #expect(harness.core.session.withLock { $0.serverGoneReason } != nil)
    }
}

@Suite("OutputChannel")
struct OutputChannelTests {
    @Test("writes go out whole; after close writes fail; stdout-like channels keep their descriptor")
    func writeAndClose() {
        var fds: [Int32] = [-1, -1]
        _ = fds.withUnsafeMutableBufferPointer { pipe($0.baseAddress!) }
        let channel = OutputChannel(fd: fds[1], closes: false)
        #expect(channel.write(bytes("hello\n")))
        #expect(channel.write([UInt8]()))
        channel.close()
        #expect(!channel.write(bytes("late\n")))
        #expect(fcntl(fds[1], F_GETFD) != -1, "a channel that does not own its descriptor leaves it open")
        close(fds[1])
        #expect(text(readToEnd(fds[0])) == "hello\n")
        close(fds[0])

        _ = fds.withUnsafeMutableBufferPointer { pipe($0.baseAddress!) }
        let owning = OutputChannel(fd: fds[1])
        owning.close()
        #expect(fcntl(fds[1], F_GETFD) == -1, "an owning channel closes its descriptor")
        close(fds[0])
    }

    @Test("lines written by many threads never interleave, even when the pipe is full")
    func noInterleaving() {
        var fds: [Int32] = [-1, -1]
        _ = fds.withUnsafeMutableBufferPointer { pipe($0.baseAddress!) }
        let channel = OutputChannel(fd: fds[1])
        let writers = 4, linesPerWriter = 10, lineLength = 100_000
        let remaining = Countdown(writers)
        for writer in 0..<writers {
            startThread {
                let line = [UInt8](repeating: UInt8(ascii: "a") + UInt8(writer), count: lineLength) + [0x0A]
                for _ in 0..<linesPerWriter { channel.write(line) }
                if remaining.countDown() { channel.close() }
            }
        }
        let output = readToEnd(fds[0])
        close(fds[0])
        let lines = splitLines(output)
        #expect(lines.count == writers * linesPerWriter)
        for line in lines {
            #expect(line.count == lineLength)
            #expect(Set(line).count == 1, "a line mixes bytes of several writers")
        }
    }
}
