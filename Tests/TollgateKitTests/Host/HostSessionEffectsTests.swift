import Testing
@testable import TollgateKit
#if canImport(Glibc)
import Glibc
#endif

@Suite("HostSession: calls the effects refuse")
struct HostSessionEffectsTests {
    private func id(_ number: Int) -> RequestID { RequestID(bytes: Array(String(number).utf8), isString: false, hasEscapes: false) }

    @Test("a call's line is taken out of what goes to its child, wherever it stands among other lines, also after actions were appended")
    func takeOut() throws {
        var first = HostActions()
        first.send(call: Array("A\n".utf8), id: id(1), sentAs: id(9), toChild: 0)
        first.send(Array("n\n".utf8), toChild: 0)
        var second = HostActions()
        second.send(Array("m\n".utf8), toChild: 0)
        second.send(call: Array("BB\n".utf8), id: id(2), sentAs: id(9), toChild: 0)
        second.send(call: Array("C\n".utf8), id: id(3), sentAs: id(9), toChild: 1)
        first.append(second)
        #expect(text(first.toChildren[0] ?? []) == "A\nn\nm\nBB\n")
        let took1 = first.takeOut(call: id(1))
        #expect(took1)
        #expect(text(first.toChildren[0] ?? []) == "n\nm\nBB\n")
        let took2 = first.takeOut(call: id(2))
        #expect(took2)
        #expect(text(first.toChildren[0] ?? []) == "n\nm\n")
        let took3 = first.takeOut(call: id(3))
        #expect(took3)
        #expect(first.toChildren[1] == nil && first.forwardedCalls.isEmpty)
        let took3Again = first.takeOut(call: id(3))
        #expect(!took3Again)
    }

    @Test("a call the budget refuses after the session routed it reaches no child, is answered budget_exhausted and leaves nothing in flight")
    func refused() throws {
        let manifest = try #require(try? parseManifest(#"{"version": 1, "budgets": {"calls": 1}, "tools": {"*": {}}}"#).get())
        let effects = CallEffects(limits: manifest.budgetLimits, diagnostics: .silent)
        var session = try HostSession.ready(["a", "b"], tools: [["x"], ["y"]],
                                            gate: PolicyGate(manifest: manifest, diagnostics: .silent, workingDirectory: "/tmp", effects: effects))
        let owner = EffectsOwner(effects)
        func decided(_ line: String) -> HostActions {
            var actions = session.client(line)
            let refusals = owner.complete(owner.enqueue(session.gate.takeEffects()))
            if !refusals.isEmpty { session.refuse(refusals, in: &actions) }
            return actions
        }
        let first = decided(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"a__x"}}"#)
        #expect(first.toChildren[0] != nil && first.toClient.isEmpty)
        let second = decided(#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"b__y"}}"#)
        #expect(second.toChildren.isEmpty, "nothing of the refused call reaches a child")
        let answer = try HostLine.one(second.toClient)
        #expect(answer["id"] == 2 && answer["result"]?["_meta"]?[Denial.metaKey]?["code"] == "budget_exhausted", "\(answer)")
        #expect(!session.ids.isInFlight(clientID: id(2)))
        #expect(session.ids.isInFlight(clientID: id(1)))
    }

    /// A session whose child 0 is starting again (the one call the budget allows spent), an
    /// effects owner, and the runtime over them (its outputs go nowhere: only settling is tested).
    private func restarting() throws -> GateRuntime<HostSession> {
        let manifest = try #require(try? parseManifest(#"{"version": 1, "budgets": {"calls": 1}, "tools": {"*": {}}}"#).get())
        let effects = CallEffects(limits: manifest.budgetLimits, diagnostics: .silent)
        var session = try HostSession.ready(["a"], tools: [["x"]],
                                            gate: PolicyGate(manifest: manifest, diagnostics: .silent, workingDirectory: "/tmp", effects: effects))
        let owner = EffectsOwner(effects)
        var first = session.client(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"a__x"}}"#)
        session.refuse(owner.complete(owner.enqueue(session.gate.takeEffects())), in: &first)
        #expect(first.toChildren[0] != nil, "the first call takes the budget")
        _ = session.childGone(0, because: "exited with status 1; restarting it", keepListed: true)
        _ = session.childRestarted(0)
        let nowhere = open("/dev/null", O_WRONLY)
        return GateRuntime(session: session, effects: owner, clientOutput: OutputChannel(fd: nowhere), serverInputs: [OutputChannel(fd: nowhere)],
                           events: nowhere, maxMessageBytes: LineFramer.defaultMaxLineBytes, diagnostics: Diagnostics.silent)
    }

    @Test("a call parked until its child starts, refused by its effects, is never sent by the thread that ends the handshake, whichever thread settles first",
          arguments: [true, false])
    func parkedAndRefused(handshakeSettlesFirst: Bool) throws {
        let runtime = try restarting()
        // The client's thread decides the call (parked: its child is starting) but has not settled it yet...
        let (call, callTicket) = runtime.decide { session, _ in
            session.client(#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"a__x"}}"#)
        }
        #expect(call.toChildren.isEmpty && call.toClient.isEmpty, "parked")
        // ...when the child's thread reads the end of its handshake, which sends the parked call on.
        let initializeID = try runtime.session.withLock { session in try #require(session.ids.forwarded(to: 0).first?.gateID) }
        let (handshake, handshakeTicket) = runtime.decide { session, _ in
            session.child(0, #"{"jsonrpc":"2.0","id":\#(text(initializeID.bytes)),"result":{"protocolVersion":"2025-06-18","capabilities":{"tools":{}},"serverInfo":{"name":"a","version":"2"}}}"#)
        }
        #expect(text(handshake.toChildren[0] ?? []).contains("tools/call"), "released by the handshake")
        var settledCall = [call], settledHandshake = [handshake]
        if handshakeSettlesFirst {
            runtime.settleRead(&settledHandshake, [handshakeTicket])
            runtime.settleRead(&settledCall, [callTicket])
        } else {
            runtime.settleRead(&settledCall, [callTicket])
            runtime.settleRead(&settledHandshake, [handshakeTicket])
        }
        #expect(!text(settledHandshake[0].toChildren[0] ?? []).contains("tools/call"), "the refused call never reaches the child")
        let answers = try HostLine.all(settledCall[0].toClient + settledHandshake[0].toClient).filter { $0["id"] == 2 }
        #expect(answers.count == 1, "answered once: \(answers)")
        #expect(answers.first?["result"]?["_meta"]?[Denial.metaKey]?["code"] == "budget_exhausted")
        runtime.session.withLock { session in
            #expect(!session.ids.isInFlight(clientID: id(2)) && session.waiting.forStart.isEmpty, "nothing left in flight")
        }
    }
}

@Suite("HostSession: a refusal reaches its call in a later line of the same read")
struct HostSessionRefusalAcrossLinesTests {
    @Test("a held call refused by its budget and approved by the next line of the same read never reaches its child")
    func heldRefusedThenApprovedInSameRead() throws {
        let manifest = try #require(try? parseManifest(#"{"version": 1, "budgets": {"calls": 1}, "tools": {"*": {}, "a__x": {"approval": "ask"}}}"#).get())
        let effects = CallEffects(limits: manifest.budgetLimits, diagnostics: .silent)
        var session = try HostSession.ready(["a"], tools: [["x"]],
                                            gate: PolicyGate(manifest: manifest, diagnostics: .silent, workingDirectory: "/tmp", effects: effects),
                                            clientCapabilities: #"{"elicitation":{}}"#)
        let owner = EffectsOwner(effects)
        // Call 1 is held, approved, and takes the one call the budget allows.
        var held = session.client(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"a__x"}}"#)
        session.refuse(owner.complete(owner.enqueue(session.gate.takeEffects())), in: &held)
        let first = text(try #require(HostLine.one(held.toClient)["id"]).serialized)
        var approved = session.client(#"{"jsonrpc":"2.0","id":\#(first),"result":{"action":"accept","content":{}}}"#)
        session.refuse(owner.complete(owner.enqueue(session.gate.takeEffects())), in: &approved)
        #expect(text(approved.toChildren[0] ?? []).contains("tools/call"), "call 1 runs")
        // Tollgate's next elicitation id is the first one's counter plus one.
        let next = String(first.dropLast(2)) + "2\""
        let nowhere = open("/dev/null", O_WRONLY)
        let runtime = GateRuntime(session: session, effects: owner, clientOutput: OutputChannel(fd: nowhere), serverInputs: [OutputChannel(fd: nowhere)],
                                  events: nowhere, maxMessageBytes: LineFramer.defaultMaxLineBytes, diagnostics: Diagnostics.silent)
        // One read of the client: call 2 (held; its reservation is refused), then an approval of it.
        let (hold, holdTicket) = runtime.decide { session, _ in
            session.client(#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"a__x"}}"#)
        }
        let (approval, approvalTicket) = runtime.decide { session, _ in
            session.client(#"{"jsonrpc":"2.0","id":\#(next),"result":{"action":"accept","content":{}}}"#)
        }
        var decided = [hold, approval]
        runtime.settleRead(&decided, [holdTicket, approvalTicket])
        let sent = decided.map { text($0.toChildren[0] ?? []) }.joined()
        #expect(!sent.contains("tools/call"), "the call the budget refused reaches its child: \(sent)")
        let answers = try HostLine.all(decided[0].toClient + decided[1].toClient).filter { $0["id"] == 2 }
        #expect(answers.count == 1 && answers.first?["result"]?["_meta"]?[Denial.metaKey]?["code"] == "budget_exhausted", "\(answers)")
    }
}
