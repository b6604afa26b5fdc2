import Testing
@testable import TollgateKit

@Suite("Policy gate: a reloaded manifest taking over")
struct PolicyGateReloadTests {
    /// `old`'s gate replaced by `new`'s, as a session does it, the reload's effects carried out.
    func reload(_ old: EffectingGate, _ new: String) throws -> Result<EffectingGate, ReloadRefusal> {
        let replacement = try policyGate(new)
        do throws(ReloadRefusal) {
            return .success(try old.reloaded(to: replacement))
        } catch {
            return .failure(error)
        }
    }

    /// `old`'s gate replaced by `new`'s, as a session does it.
    func reload(_ old: PolicyGate, _ new: String) throws -> Result<PolicyGate, ReloadRefusal> {
        var running: any Gate = old
        let replacement = try policyGate(new)
        do throws(ReloadRefusal) {
            try replacement.replace(&running)
        } catch {
            return .failure(error)
        }
        return .success(try #require(running as? PolicyGate))
    }

    @Test("the next call is decided by the new rules")
    func rules() throws {
        var gate = try policyGate(#"{"version": 1, "tools": {"echo": {}, "add": {"allow": false}}}"#)
        #expect(gate.decide(try call("echo")) == .forward)
        var reloaded = try reload(gate, #"{"version": 1, "tools": {"echo": {"allow": false, "reason": "not today"}, "add": {}}}"#).get()
        if case .deny(let denial) = reloaded.decide(try call("echo", id: 2)) {
            #expect(denial.reason == "not today")
        } else {
            Issue.record("echo should be denied by the new rules")
        }
        #expect(reloaded.decide(try call("add", id: 3)) == .forward)
    }

    @Test("budgets carry over when their settings stay, even as rules move around them")
    func budgetsCarry() throws {
        var gate = try effectingGate(#"{"version": 1, "tools": {"echo": {"budget": {"calls": 3}}, "add": {}}}"#)
        #expect(gate.decide(try call("echo", id: 1)) == .forward)
        #expect(gate.decide(try call("echo", id: 2)) == .forward)
        // A rule before it and a schema on another: the budget's rule moves from index 0 to 1.
        var reloaded = try reload(gate, #"{"version": 1, "tools": {"read_*": {}, "echo": {"budget": {"calls": 3}}, "add": {"arguments": {"type": "object"}}}}"#).get()
        #expect(reloaded.decide(try call("echo", id: 3)) == .forward)
        guard case .deny(let denial) = reloaded.decide(try call("echo", id: 4)) else {
            Issue.record("the fourth call passes a cap of 3: the counters were not carried")
            return
        }
        #expect(denial.code == .budgetExhausted)
        // A second reload maps through the first.
        var again = try reload(reloaded, #"{"version": 1, "tools": {"echo": {"budget": {"calls": 3}}}}"#).get()
        #expect(again.decide(try call("echo", id: 5)) != .forward)
    }

    @Test("new caps apply to the next call and count what was spent; a call in flight settles into the new budgets")
    func budgetsChange() throws {
        var gate = try effectingGate(#"{"version": 1, "tools": {"echo": {"budget": {"calls": 3, "resultTokens": 1000}}, "add": {}}}"#)
        #expect(gate.decide(try call("echo", id: 1)) == .forward)
        #expect(gate.decide(try call("echo", id: 2)) == .forward)
        // Lowered to 2 (both spent), with a new overall cap; call 2 is still in flight.
        var lowered = try reload(gate, #"{"version": 1, "budgets": {"calls": 10}, "tools": {"echo": {"budget": {"calls": 2, "resultTokens": 1000}}, "add": {}}}"#).get()
        guard case .deny(let denial) = lowered.decide(try call("echo", id: 3)) else {
            Issue.record("the two calls spent before the reload count against the new cap of 2")
            return
        }
        #expect(denial.code == .budgetExhausted && denial.rule == "tools.echo")
        _ = lowered.callCompleted(try call("echo", id: 2), outcome: .result(isError: false, bytes: 40), result: ["content": [["type": "text", "text": "ok"]]])
        // Raised to 5: calls 3 and 4 more fit, the fifth does not.
        var raised = try reload(lowered, #"{"version": 1, "budgets": {"calls": 10}, "tools": {"echo": {"budget": {"calls": 4, "resultTokens": 1000}}, "add": {}}}"#).get()
        #expect(raised.decide(try call("echo", id: 4)) == .forward)
        #expect(raised.decide(try call("echo", id: 5)) == .forward)
        #expect(raised.decide(try call("echo", id: 6)) != .forward)
    }

    @Test("a change of the budgets' window, the ledger or the audit settings is refused: the running gate stays")
    func refused() throws {
        let gate = try policyGate(#"{"version": 1, "tools": {"echo": {"budget": {"calls": 3}}}}"#)
        guard case .failure(let budget) = try reload(gate, #"{"version": 1, "budgets": {"window": "1h"}, "tools": {"echo": {"budget": {"calls": 3}}}}"#) else {
            Issue.record("a changed window was accepted")
            return
        }
        #expect(budget.description.contains("budgets.window changed"), "\(budget)")
        guard case .failure(let audit) = try reload(gate, #"{"version": 1, "tools": {"echo": {"budget": {"calls": 3}}}, "audit": {"path": "/tmp/tollgate-reload-test.audit"}}"#) else {
            Issue.record("a new audit log was accepted")
            return
        }
        #expect(audit.description.contains("audit settings changed"))
    }

    @Test("pins are checked again: a tool blocked for a changed definition runs again once the new pin matches it")
    func pins() throws {
        let original: JSONObject = ["name": "echo", "description": "Echo the text.", "inputSchema": ["type": "object"]]
        var changed = original
        changed["description"] = "Echo the text, differently."
        var gate = try policyGate(#"{"version": 1, "tools": {"echo": {"pin": "\#(ToolPin(of: original))"}}}"#)
        _ = gate.filterToolList(["tools": [.object(changed)]])
        #expect(gate.denial(for: try call("echo"))?.code == .toolChanged)
        var accepted = try reload(gate, #"{"version": 1, "tools": {"echo": {"pin": "\#(ToolPin(of: changed))"}}}"#).get()
        #expect(accepted.denial(for: try call("echo")) == nil, "the new pin accepts the listed definition")
        var reverted = try reload(accepted, #"{"version": 1, "tools": {"echo": {"pin": "\#(ToolPin(of: original))"}}}"#).get()
        #expect(reverted.denial(for: try call("echo"))?.code == .toolChanged, "the old pin blocks it again")
    }

    @Test("a gate started without a manifest cannot be reloaded")
    func noManifest() throws {
        var running: any Gate = PassThroughGate()
        #expect(throws: ReloadRefusal.self) { try policyGate(#"{"version": 1}"#).replace(&running) }
    }
}
