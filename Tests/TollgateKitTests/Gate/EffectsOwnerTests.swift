import Foundation
import Synchronization
import Testing
@testable import TollgateKit

/// The manifest's pure gate and its effects, kept apart as the relay keeps them.
private func gateAndEffects(_ text: String, audit: AuditTrail? = nil, account: (any BudgetAccount)? = nil) throws -> (PolicyGate, CallEffects) {
    let manifest = try #require(try? parseManifest(text).get())
    let effects = CallEffects(audit: audit, limits: manifest.budgetLimits, account: account, diagnostics: .silent)
    return (PolicyGate(manifest: manifest, diagnostics: .silent, workingDirectory: "/tmp", effects: effects), effects)
}

private func denialCode(_ line: [UInt8]?) throws -> String? {
    let value = try JSONValue.parse(Array(try #require(line).dropLast()))
    let response = value.arrayValue?.first ?? value
    return response["result"]?["_meta"]?[Denial.metaKey]?["code"]?.stringValue
}

/// Decides a client line as the relay does: its effects queued, carried out, and what they
/// refused taken back.
private func decide(_ line: String, in session: inout RelaySession, owner: EffectsOwner) -> RelayActions {
    var actions = session.client(line)
    let refusals = owner.complete(owner.enqueue(session.gate.takeEffects()))
    if !refusals.isEmpty { session.refuse(refusals, in: &actions) }
    return actions
}

@Suite("Effects: carried out in decision order, off the session's lock")
struct EffectsOwnerTests {
    @Test("the gate decides without I/O: an allowed call queues its admission, a denied one its record, nothing is written")
    func pureDecision() throws {
        let directory = TemporaryDirectory()
        let log = try AuditLog.open(path: directory.file("audit.log"), fsync: .batch)
        var (gate, _) = try gateAndEffects(#"{"version": 1, "budgets": {"calls": 5}, "tools": {"echo": {}, "rm": {"allow": false}}}"#,
                                           audit: AuditTrail(log: log, arguments: .full, server: nil))
        #expect(gate.decide(try call("echo", id: 1)) == GateVerdict.forward)
        #expect(gate.decide(try call("rm", id: 2)) != GateVerdict.forward)
        let queued = gate.takeEffects()
        #expect(queued.count == 2)
        guard case .admit(let first) = queued[0], case .admit(let second) = queued[1] else {
            Issue.record("expected two admissions, got \(queued)")
            return
        }
        let echo = try call("echo", id: 1)
        #expect(first.denial == nil && first.call.id == echo.id)
        #expect(second.denial?.code == .toolDenied)
        #expect(try String(contentsOfFile: directory.file("audit.log"), encoding: .utf8).isEmpty, "no record before the effects run")
        #expect(gate.takeEffects().isEmpty, "taken once")
    }

    @Test("a call the budget refuses after the session let it through is taken back: not forwarded, answered budget_exhausted, not pending")
    func refusedCall() throws {
        let (gate, effects) = try gateAndEffects(#"{"version": 1, "budgets": {"calls": 1}, "tools": {"echo": {}}}"#)
        var session = RelaySession(gate: gate)
        let owner = EffectsOwner(effects)
        func decided(_ line: String) -> RelayActions { decide(line, in: &session, owner: owner) }
        let first = decided(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo"}}"#)
        #expect(first.toServer.isEmpty == false && first.reply == nil)
        let second = decided(#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo"}}"#)
        #expect(second.forward == nil, "nothing of the refused call reaches the server")
        #expect(try denialCode(second.reply) == "budget_exhausted")
        #expect(session.pending.count == 1, "only call 1 is in flight")
        // A batch: the refused element leaves the batch, its denial is answered in a batch.
        let batch = decided(#"[{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo"}},{"jsonrpc":"2.0","method":"notifications/progress","params":{}}]"#)
        let forwarded = try JSONValue.parse(Array(batch.toServer.dropLast()))
        #expect(forwarded.arrayValue?.count == 1 && forwarded[0]?["method"] == "notifications/progress", "\(forwarded)")
        #expect(try denialCode(batch.reply) == "budget_exhausted")
        #expect(try JSONValue.parse(Array(try #require(batch.reply).dropLast())).arrayValue?.count == 1, "the denial as a batch of its own")
    }

    @Test("a refused call answered meanwhile (its timeout fired while its record was written) still never goes out, and gets no second answer")
    func refusedAfterAnswer() throws {
        let (gate, effects) = try gateAndEffects(#"{"version": 1, "budgets": {"calls": 1}, "tools": {"echo": {}}}"#)
        var session = RelaySession(gate: gate)
        let owner = EffectsOwner(effects)
        #expect(decide(#"{"jsonrpc":"2.0","id":0,"method":"tools/call","params":{"name":"echo"}}"#, in: &session, owner: owner).forward != nil)
        _ = session.pending.removeAll()
        for line in [#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo"}}"#,
                     #"[{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo"}},{"jsonrpc":"2.0","method":"notifications/progress","params":{}}]"#] {
            var actions = session.client(line)
            #expect(actions.forward != nil)
            // The call is answered (and forgotten) before its effects are done.
            _ = session.pending.removeAll()
            session.refuse(owner.complete(owner.enqueue(session.gate.takeEffects())), in: &actions)
            #expect(!String(decoding: actions.toServer, as: UTF8.self).contains("tools/call"), "\(String(decoding: actions.toServer, as: UTF8.self))")
            #expect(actions.reply == nil, "answered once already")
            #expect(actions.log?.contains("answered already") == true)
        }
    }

    @Test("a held call the budget refuses is never asked about: the client gets the denial and no elicitation")
    func heldAndRefused() throws {
        let (gate, effects) = try gateAndEffects(#"{"version": 1, "budgets": {"calls": 1}, "tools": {"echo": {"approval": "ask"}}}"#)
        var session = RelaySession(gate: gate)
        session.approvals = ApprovalState(nonce: "n")
        let owner = EffectsOwner(effects)
        func decided(_ line: String) -> RelayActions { decide(line, in: &session, owner: owner) }
        _ = decided(#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{"elicitation":{}},"clientInfo":{"name":"c","version":"1"}}}"#)
        let first = decided(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo"}}"#)
        #expect(String(decoding: first.toClient, as: UTF8.self).contains("elicitation/create"), "the first call is asked about")
        let second = decided(#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo"}}"#)
        #expect(try denialCode(second.reply) == "budget_exhausted")
        #expect(!String(decoding: second.toClient, as: UTF8.self).contains("elicitation"), "no question, no cancellation")
        #expect(session.approvals.held.count == 1)
    }

    @Test("one server: a held call refused by its budget and approved by a later line of the same read never reaches the server")
    func heldRefusedThenApprovedInSameRead() throws {
        let (gate, effects) = try gateAndEffects(#"{"version": 1, "budgets": {"calls": 1}, "tools": {"echo": {"approval": "ask"}}}"#)
        var session = RelaySession(gate: gate)
        session.approvals = ApprovalState(nonce: "n")
        let owner = EffectsOwner(effects)
        _ = decide(#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{"elicitation":{}},"clientInfo":{"name":"c","version":"1"}}}"#,
                   in: &session, owner: owner)
        let held = decide(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo"}}"#, in: &session, owner: owner)
        let question = try #require(try splitLines(held.toClient).map { try JSONValue.parse($0) }.first { $0["method"] == "elicitation/create" })
        let first = String(decoding: try #require(question["id"]).serialized, as: UTF8.self)
        let approved = decide(#"{"jsonrpc":"2.0","id":\#(first),"result":{"action":"accept","content":{}}}"#, in: &session, owner: owner)
        #expect(approved.forward != nil, "call 1 runs and takes the budget")
        // The next question's id is the first one's counter plus one.
        let next = String(first.dropLast(2)) + "2\""
        let nowhere = open("/dev/null", O_WRONLY)
        defer { close(nowhere) }
        let runtime = GateRuntime(session: session, effects: owner, clientOutput: OutputChannel(fd: nowhere), serverInputs: [OutputChannel(fd: nowhere)],
                                  events: nowhere, maxMessageBytes: LineFramer.defaultMaxLineBytes, diagnostics: .silent)
        let (hold, holdTicket) = runtime.decide { session, _ in session.client(#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo"}}"#) }
        let (approval, approvalTicket) = runtime.decide { session, _ in
            session.client(#"{"jsonrpc":"2.0","id":\#(next),"result":{"action":"accept","content":{}}}"#)
        }
        #expect(approval.forward != nil, "the guessed approval sends call 2 on before its effects are settled")
        var decided = [hold, approval]
        runtime.settleRead(&decided, [holdTicket, approvalTicket])
        #expect(decided.allSatisfy { $0.forward == nil }, "the call the budget refused never reaches the server")
        let answers = try splitLines(decided.flatMap { $0.reply ?? [] }).map { try JSONValue.parse($0) }.filter { $0["id"] == 2 }
        #expect(answers.count == 1, "answered once: \(answers)")
        #expect(answers.first?["result"]?["_meta"]?[Denial.metaKey]?["code"] == "budget_exhausted")
    }

    @Test("a call whose decision record cannot be written is refused audit_unavailable and its reservation given back")
    func unrecordable() throws {
        let directory = TemporaryDirectory()
        let log = try AuditLog.open(path: directory.file("audit.log"), fsync: .batch)
        var (gate, effects) = try gateAndEffects(#"{"version": 1, "budgets": {"calls": 1}, "tools": {"echo": {}}}"#,
                                                 audit: AuditTrail(log: log, arguments: .full, server: nil))
        try log.close()
        #expect(gate.decide(try call("echo", id: 1)) == .forward)
        let refusals = gate.takeEffects().compactMap { effects.perform($0) }
        #expect(refusals.map(\.denial.code) == [.auditUnavailable])
        #expect(try denialCode(refusals.first?.reply) == "audit_unavailable")
        // The reservation was given back: the one call the cap allows is still free.
        let reopened = try AuditLog.open(path: directory.file("audit.log"), fsync: .batch)
        effects.audit = AuditTrail(log: reopened, arguments: .full, server: nil)
        #expect(gate.decide(try call("echo", id: 2)) == .forward)
        #expect(gate.takeEffects().compactMap { effects.perform($0) }.isEmpty)
    }

    @Test("effects queued by several threads are carried out in the order they were queued, and each waiter gets only its own refusals")
    func order() async throws {
        let (_, effects) = try gateAndEffects(#"{"version": 1, "budgets": {"calls": 100}, "tools": {"*": {}}}"#)
        let owner = EffectsOwner(effects)
        let record = Record()
        let threads = 8, calls = 40
        await withTaskGroup(of: Void.self) { group in
            for thread in 0..<threads {
                group.addTask {
                    for index in 0..<calls {
                        let id = thread * 1000 + index
                        let admission = CallAdmission(call: try! call("t\(thread)", id: id), rules: [], denial: nil, monitoring: false, held: false)
                        // Queued under a lock, as a session queues them in its critical section.
                        let ticket = record.queued.withLock { order in
                            order.append(id)
                            return owner.enqueue([.admit(admission)])
                        }
                        let refusals = owner.complete(ticket)
                        #expect(refusals.allSatisfy { $0.id == admission.call.id }, "another call's refusal came back")
                        if refusals.isEmpty { record.admitted.withLock { _ = $0.insert(id) } }
                    }
                }
            }
        }
        // The cap counts in queue order: exactly the first 100 queued were admitted.
        let order = record.queued.withLock { $0 }
        #expect(order.count == threads * calls)
        #expect(record.admitted.withLock { $0 } == Set(order.prefix(100)))
    }

    /// What the threads of ``order()`` saw: the queue order and the calls admitted.
    final class Record: Sendable {
        let queued = Mutex<[Int]>([])
        let admitted = Mutex<Set<Int>>([])
    }
}
