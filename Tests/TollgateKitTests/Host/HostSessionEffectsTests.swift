import Testing
@testable import TollgateKit

@Suite("HostSession: calls the effects refuse")
struct HostSessionEffectsTests {
    @Test("a call's line is taken out of what goes to its child, wherever it stands among other lines, also after actions were appended")
    func takeOut() throws {
        var first = HostActions()
        first.send(call: Array("A\n".utf8), id: RequestID(bytes: Array("1".utf8), isString: false, hasEscapes: false), toChild: 0)
        first.send(Array("n\n".utf8), toChild: 0)
        var second = HostActions()
        second.send(Array("m\n".utf8), toChild: 0)
        second.send(call: Array("BB\n".utf8), id: RequestID(bytes: Array("2".utf8), isString: false, hasEscapes: false), toChild: 0)
        second.send(call: Array("C\n".utf8), id: RequestID(bytes: Array("3".utf8), isString: false, hasEscapes: false), toChild: 1)
        first.append(second)
        #expect(text(first.toChildren[0] ?? []) == "A\nn\nm\nBB\n")
        let took1 = first.takeOut(call: RequestID(bytes: Array("1".utf8), isString: false, hasEscapes: false))
        #expect(took1)
        #expect(text(first.toChildren[0] ?? []) == "n\nm\nBB\n")
        let took2 = first.takeOut(call: RequestID(bytes: Array("2".utf8), isString: false, hasEscapes: false))
        #expect(took2)
        #expect(text(first.toChildren[0] ?? []) == "n\nm\n")
        let took3 = first.takeOut(call: RequestID(bytes: Array("3".utf8), isString: false, hasEscapes: false))
        #expect(took3)
        #expect(first.toChildren[1] == nil && first.forwardedCalls.isEmpty)
        let took3Again = first.takeOut(call: RequestID(bytes: Array("3".utf8), isString: false, hasEscapes: false))
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
        #expect(!session.ids.isInFlight(clientID: RequestID(bytes: Array("2".utf8), isString: false, hasEscapes: false)))
        #expect(session.ids.isInFlight(clientID: RequestID(bytes: Array("1".utf8), isString: false, hasEscapes: false)))
    }
}
