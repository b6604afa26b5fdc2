import Testing
@testable import TollgateKit

@Suite("HostSession: call timeouts and the gate's tick")
struct HostSessionTimerTests {
    private func call(_ id: String, _ name: String, now: Int64, in session: inout HostSession) -> HostActions {
        bytes(#"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"\#(name)"}}"#).withUnsafeBytes { session.clientLine($0, now: now) }
    }

    @Test("a call past its timeout: timeout denial to the client, cancellation under the child's id, late answer dropped")
    func timeout() throws {
        var session = try HostSession.ready(["a", "b"], tools: [["sleep"], ["sleep"]], gate: TimingGate(timedTool: "b__sleep", timeoutMilliseconds: 200, tickInterval: nil))
        #expect(session.usesTimers)
        let sent = try HostLine.one(call("5", "b__sleep", now: 1000, in: &session).toChildren[1]!)
        #expect(session.armTimer() == 1200)
        #expect(session.tick(now: 1199).isEmpty)
        let fired = session.tick(now: 1200)
        let denial = try HostLine.one(fired.toClient)
        #expect(denial["id"] == 5)
        #expect(denial["result"]?["_meta"]?["dev.tollgate/denial"]?["code"] == "timeout")
        #expect(denial["result"]?["_meta"]?["dev.tollgate/denial"]?["rule"] == "tools.b__sleep.timeoutSeconds")
        let cancel = try HostLine.one(fired.toChildren[1] ?? [])
        #expect(cancel["method"] == "notifications/cancelled" && cancel["params"]?["requestId"] == sent["id"])
        #expect((session.gate as? TimingGate)?.completions.map(\.outcome) == [.timedOut])
        let late = bytes(#"{"jsonrpc":"2.0","id":\#(text(sent["id"]!.serialized)),"result":{}}"#).withUnsafeBytes { session.childLine(1, $0, now: 1300) }
        #expect(late.toClient.isEmpty && late.logs.first?.contains("late response") == true)
    }

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

    @Test("an answer in time cancels the timer; untimed calls set none; the gate ticks after a call")
    func answeredInTime() throws {
        var session = try HostSession.ready(["a", "b"], tools: [["sleep", "echo"], []], gate: TimingGate(timedTool: "a__sleep", timeoutMilliseconds: 200, tickInterval: 50))
        let sent = try HostLine.one(call("1", "a__sleep", now: 0, in: &session).toChildren[0]!)
        _ = call("2", "a__echo", now: 0, in: &session)
        #expect(session.timers.count == 2, "the call's timeout and the gate's tick")
        let answered = bytes(#"{"jsonrpc":"2.0","id":\#(text(sent["id"]!.serialized)),"result":{}}"#).withUnsafeBytes { session.childLine(0, $0, now: 10) }
        #expect(try HostLine.one(answered.toClient)["id"] == 1)
        let ticked = session.tick(now: 60)
        #expect(ticked.logs == ["tick 1"] && ticked.toClient.isEmpty)
        #expect(session.tick(now: 1000).isEmpty, "no timeout fires for an answered call")
    }

    @Test("a child gone before the timeout: answered once, the timer is gone too")
    func goneBeforeTimeout() throws {
        var session = try HostSession.ready(["a", "b"], tools: [["sleep"], ["sleep"]], gate: TimingGate(timedTool: "a__sleep", timeoutMilliseconds: 200, tickInterval: nil))
        _ = call("1", "a__sleep", now: 0, in: &session)
        #expect(session.timers.count == 1)
        let gone = try HostLine.all(session.childGone(0, because: "exited").toClient)
        #expect(session.timers.isEmpty)
        #expect(gone.filter { $0["id"] == 1 }.count == 1)
        #expect(session.tick(now: 500).toClient.isEmpty)
    }
}
