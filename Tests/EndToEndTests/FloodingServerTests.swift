import Foundation
import Testing

/// A server that floods requests and never reads its input must not keep Tollgate from
/// ending: past the in-flight limit Tollgate refuses the requests into the server's input, and
/// once that pipe is full the refusing thread waits on the server; closing the server's input
/// (client EOF, SIGTERM) must not wait for it.
@Suite("A flooding server", .timeLimit(.minutes(2)))
struct FloodingServerTests {
    /// Answers `initialize`, then writes `count` requests and never reads again.
    static let flooder = #"""
        import json, sys, time
        line = sys.stdin.readline()
        request = json.loads(line)
        sys.stdout.write(json.dumps({"jsonrpc": "2.0", "id": request["id"], "result": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "serverInfo": {"name": "flooder", "version": "1"}}}) + "\n")
        sys.stdout.flush()
        padding = "p" * 512
        for n in range(int(sys.argv[1])):
            sys.stdout.write(json.dumps({"jsonrpc": "2.0", "id": n, "method": "roots/list", "params": {"_meta": {"pad": padding}}}) + "\n")
        sys.stdout.flush()
        time.sleep(600)
        """#

    @Test("client EOF and SIGTERM end the run while the server floods requests and never reads", arguments: ["eof", "sigterm"])
    func ends(how: String) async throws {
        let directory = try TemporaryDirectory("flooding-\(how)")
        let script = directory.path("flooder.py")
        try Self.flooder.write(toFile: script, atomically: true, encoding: .utf8)
        let gate = try GateProcess(server: ["python3", script, "20000"], in: directory)
        try await gate.send(RPC.request(id: "1", method: "initialize", params: #"{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}"#))
        // The first 1,024 requests reach the client; read them so that only the server's input fills.
        var forwarded = 0
        while forwarded < 1_025 {
            guard try await gate.readLineOrEnd(timeout: .seconds(20)) != nil else { break }
            forwarded += 1
        }
        #expect(forwarded == 1_025, "the initialize answer and 1,024 requests reach the client")
        // Past the limit, refusals go into the server's input, which it never reads: let it fill.
        try await Task.sleep(for: .milliseconds(500))
        let started = ContinuousClock.now
        if how == "eof" { gate.closeInput() } else { gate.signal(SIGTERM) }
        let status = try await gate.waitForExit(timeout: .seconds(30))
        let took = ContinuousClock.now - started
        print("flooding server, \(how): tollgate exited with \(status) after \(took)")
        #expect(took < .seconds(15), "tollgate ended \(took) after the \(how)")
    }
}
