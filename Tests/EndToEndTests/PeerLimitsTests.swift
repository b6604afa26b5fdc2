import Foundation
import Testing

/// Nothing a client sends makes the gate big, slow or stuck: names never seen before, keys
/// crafted to collide, and a stderr nobody reads.
@Suite("Peer limits", .timeLimit(.minutes(5)))
struct PeerLimitsTests {
    /// Default deny; `echo` and `x*` allowed (an `x` name the server does not list is
    /// `unknown_tool`), `d*` denied by a rule.
    static let manifest = """
        {"version": 1, "policy": {"default": "deny"},
         "tools": {"echo": {}, "x*": {}, "d*": {"allow": false, "reason": "no d tools"}}}
        """

    /// `{"jsonrpc":"2.0","id":N,`: the id of a response, read without parsing it.
    private static func responseID(_ line: [UInt8]) -> Int? {
        let head = Array(#"{"jsonrpc":"2.0","id":"#.utf8)
        guard line.matches(head, at: 0) else { return nil }
        return Int(line[head.count..<min(line.count, head.count + 20)].prefix { $0 != UInt8(ascii: ",") }.text)
    }

    @Test("10,000 calls with distinct 64 KiB names (denied or unknown) keep tollgate's memory under 64 MB")
    func distinctNamesKeepMemoryBounded() async throws {
        let session = try PolicySession("names", manifest: Self.manifest)
        // A complete listing first, so names the server does not offer are unknown_tool.
        let listed = try await session.call(RPC.request(id: "0", method: "tools/list"))
        #expect(listed["result"]["tools"].array?.isEmpty == false, "\(listed)")
        let count = 10_000
        let batch = 100
        let padding = String(repeating: "n", count: 64 << 10)
        let denied = Array(#""code":"tool_denied""#.utf8)
        let unknown = Array(#""code":"unknown_tool""#.utf8)
        var peak = 0
        let started = ContinuousClock.now
        for first in stride(from: 1, through: count, by: batch) {
            var lines = ""
            for id in first..<(first + batch) {
                let name = (id % 2 == 0 ? "d" : "x") + String(id) + padding
                lines += RPC.toolCall(id: "\(id)", name: name) + "\n"
            }
            // Sent while the answers are read: neither side's pipe may fill up and stall the other.
            async let sent: Void = session.gate.send(bytes: Array(lines.utf8), timeout: .seconds(60))
            for id in first..<(first + batch) {
                let line = try await session.gate.readLine(timeout: .seconds(60))
                #expect(Self.responseID(line) == id, "response \(Self.responseID(line).map(String.init) ?? line.prefix(80).text) instead of \(id)")
                #expect(line.contains(bytes: id % 2 == 0 ? denied : unknown), "call \(id): \(line.prefix(200).text)")
            }
            try await sent
            let rss = try #require(ProcFS.residentKilobytes(session.gate.pid), "no VmRSS for tollgate")
            peak = max(peak, rss)
            // Stop early rather than let a leaking gate take the machine's memory.
            guard rss < 64 * 1024 else { throw E2EError("tollgate's VmRSS reached \(rss) KiB after \(first + batch - 1) calls") }
        }
        let highWater = try #require(ProcFS.peakResidentKilobytes(session.gate.pid), "no VmHWM for tollgate")
        print("10,000 calls with 64 KiB names: VmHWM \(highWater) KiB, VmRSS peak \(peak) KiB, \(ContinuousClock.now - started)")
        #expect(highWater < 64 * 1024, "tollgate's VmHWM reached \(highWater) KiB")
        #expect(session.serverLog.count == 1, "only tools/list reached the server")
        #expect(try await session.finish(timeout: .seconds(60)) == 0)
    }

    @Test("a call whose arguments hold 60,000 keys crafted to collide is answered quickly")
    func craftedKeysAnsweredQuickly() async throws {
        let session = try PolicySession("keys", manifest: Self.manifest)
        try await session.sync(id: 1)
        // Same length, same first and last eight bytes, different middles: 1.7 MB.
        let members = (0..<60_000).map { number in
            let digits = String(number)
            return #""AAAAAAAA\#(String(repeating: "0", count: 8 - digits.count))\#(digits)ZZZZZZZZ":0"#
        }
        let line = RPC.toolCall(id: "2", name: "d1", arguments: "{" + members.joined(separator: ",") + "}")
        #expect(line.utf8.count > 1_700_000)
        let started = ContinuousClock.now
        let answer = try await session.call(line, timeout: .seconds(60))
        let elapsed = ContinuousClock.now - started
        print("60,000 crafted keys (\(line.utf8.count) bytes) answered in \(elapsed)")
        #expect(answer["id"].int == 2 && answer["result"]["_meta"]["dev.tollgate/denial"]["code"].string == "tool_denied", "\(answer)")
        // The real figure is printed; the bound is generous for a shared machine.
        #expect(elapsed < .seconds(5), "answered after \(elapsed)")
        #expect(try await session.finish() == 0)
    }

    @Test("with stderr a pipe nobody reads, 5,000 denied calls are still answered; once drained, a line counts what was dropped")
    func blockedStderr() async throws {
        let directory = try TemporaryDirectory("stderr")
        let manifestPath = try writeFile(Self.manifest, named: "manifest.json", in: directory)
        let gate = try GateProcess(server: GateProcess.fixtureServer, options: ["--manifest", manifestPath],
                                   environment: ["FIXTURE_QUIET": "1"], in: directory, stderrToPipe: true)
        let count = 5000
        // Each denial writes a stderr line of about 1 KiB: 5 MB, far more than a pipe and the buffer hold.
        let padding = String(repeating: "p", count: 900)
        var lines = ""
        for id in 1...count { lines += RPC.toolCall(id: "\(id)", name: "d\(id)\(padding)") + "\n" }
        async let sent: Void = gate.send(bytes: Array(lines.utf8), timeout: .seconds(60))
        for id in 1...count {
            let line = try await gate.readLine(timeout: .seconds(30))
            #expect(Self.responseID(line) == id)
        }
        try await sent
        // Now drain: the lines that fit arrive, then one line counts the dropped ones.
        let text = try await gate.readStderr(timeout: .seconds(30)) { $0.contains("diagnostic lines:") && $0.hasSuffix("\n") }
        let stderrLines = text.split(separator: "\n")
        let delivered = stderrLines.filter { $0.hasPrefix("tollgate: denied d") }.count
        let notices = stderrLines.filter { $0.hasPrefix("tollgate: dropped ") }
        let dropped = notices.compactMap { Int($0.dropFirst("tollgate: dropped ".count).prefix { $0.isNumber }) }.reduce(0, +)
        print("blocked stderr: \(delivered) lines delivered, \(dropped) dropped and counted in \(notices.count) notice(s)")
        #expect(dropped > 0 && delivered < count)
        #expect(delivered + dropped == count, "\(delivered) delivered + \(dropped) dropped, of \(count)")
        gate.closeInput()
        #expect(try await gate.waitForExit(timeout: .seconds(20)) == 0)
    }
}
