import Testing
@testable import TollgateKit

/// What only the session for several servers does with timers (the rest: SessionTimerTests).
@Suite("HostSession: start timeouts")
struct HostSessionTimerTests {
    @Test("a server that does not answer initialize within its start timeout is failed; the client's initialize is answered without it")
    func startTimeout() throws {
        let namespace = ToolNamespace(servers: [.init(name: "a", prefixed: true), .init(name: "b", prefixed: true)])
        var session = HostSession(namespace: namespace, startTimeouts: [1000, 1000])
        #expect(session.usesTimers)
        let start = bytes(#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#)
            .withUnsafeBytes { session.clientLine($0, now: 0) }
        let toA = try HostLine.one(start.toChildren[0] ?? [])
        let toB = try HostLine.one(start.toChildren[1] ?? [])
        let answered = bytes(#"{"jsonrpc":"2.0","id":\#(text(toA["id"]!.serialized)),"result":{"protocolVersion":"2025-06-18","capabilities":{},"serverInfo":{"name":"a","version":"1"}}}"#)
            .withUnsafeBytes { session.childLine(0, $0, now: 10) }
        #expect(answered.toClient.isEmpty, "the answer waits for b")
        #expect(session.tick(now: 999).toClient.isEmpty)
        let fired = session.tick(now: 1000)
        let result = try HostLine.one(fired.toClient)
        #expect(result["id"] == 0 && result["result"]?["protocolVersion"] == "2025-06-18")
        #expect(fired.logs.contains { $0.contains("server b failed to initialize") && $0.contains("startTimeoutSeconds") }, "\(fired.logs)")
        #expect(session.children[1].phase != .ready && session.children[0].phase == .ready)
        let late = bytes(#"{"jsonrpc":"2.0","id":\#(text(toB["id"]!.serialized)),"result":{"protocolVersion":"2025-06-18","capabilities":{}}}"#)
            .withUnsafeBytes { session.childLine(1, $0, now: 2000) }
        #expect(late.toClient.isEmpty && session.children[1].phase != .ready, "a late answer does not revive it")
    }
}
