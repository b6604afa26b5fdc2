import Foundation
import Testing

/// A client cancels a call held for approval (`notifications/cancelled`): the call is released
/// with no response, what Tollgate asked (an elicitation, an approver command) is withdrawn, the
/// server never hears of it, and the audit trail says the approval was cancelled.
@Suite("Human approval: cancelled held calls", .timeLimit(.minutes(2)))
struct ApprovalCancellationTests {
    private func auditRecords(_ path: String) throws -> [JSON] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { try JSON(parsing: String($0)) }
    }

    private func cancel(_ id: String) -> String {
        RPC.notification(method: "notifications/cancelled", params: #"{"requestId":\#(id),"reason":"the user pressed stop"}"#)
    }

    /// The approval and decision records of the cancelled call, checked; and the log verifies.
    private func expectCancelledInAudit(_ auditPath: String, tool: String) async throws {
        let records = try auditRecords(auditPath)
        let approval = try #require(records.first { $0["event"].string == "approval" }, "an approval record: \(records)")
        #expect(approval["by"].string == "cancelled" && approval["approved"].bool == false && approval["tool"].string == tool, "\(approval)")
        #expect(approval["detail"].string?.contains("the user pressed stop") == true, "\(approval)")
        let decision = try #require(records.first { $0["event"].string == "decision" && $0["tool"].string == tool }, "\(records)")
        #expect(decision["decision"].string == "denied" && decision["code"].string == "approval_denied", "\(decision)")
        #expect(!records.contains { $0["event"].string == "outcome" && $0["tool"].string == tool }, "the call never ran: \(records)")
        #expect(try await runTollgate(["audit", "verify", auditPath]).status == 0)
    }

    @Test("approver command: it is killed at once, the call gets no answer, other calls go on")
    func approverCommand() async throws {
        let directory = try TemporaryDirectory("approval-cancel-cmd")
        let auditPath = directory.path("audit.log")
        let pidPath = directory.path("approver.pid")
        // An approver that would take a minute: it writes its pid, then waits.
        let approver = try writeFile("""
            #!/bin/sh
            echo $$ > '\(pidPath).tmp' && mv '\(pidPath).tmp' '\(pidPath)'
            exec sleep 60
            """, named: "approve.sh", in: directory)
        chmod(approver, 0o755)
        let manifest = """
            {"version": 1, "policy": {"approvalTimeoutSeconds": 90},
             "tools": {"add": {"approval": {"command": ["/bin/sh", "\(approver)"]}}, "echo": {}},
             "audit": {"path": "\(auditPath)", "arguments": "full"}}
            """
        let session = try PolicySession("approval-cancel-cmd-run", manifest: manifest)
        try await session.gate.send(RPC.toolCall(id: "1", name: "add", arguments: #"{"a":1,"b":2}"#))
        let pid = try await waitForPID(pidPath)
        #expect(kill(pid, 0) == 0, "the approver runs")
        try await session.gate.send(cancel("1"))
        try await waitUntilGone(pid)
        let echo = try await session.call(RPC.toolCall(id: "2", name: "echo", arguments: #"{"text":"after"}"#))
        #expect(echo["id"].int == 2 && resultText(echo) == "after", "the next line is the next call's answer, none for the cancelled call: \(echo)")
        let lines = try await session.sync()
        #expect(lines.isEmpty, "nothing else came back: \(lines.map(\.text))")
        #expect(!session.serverLogText.contains { $0.contains(#""add""#) || $0.contains("notifications/cancelled") },
                "the server never saw the call nor its cancellation: \(session.serverLogText)")
        #expect(try await session.finish() == 0)
        try await expectCancelledInAudit(auditPath, tool: "add")
    }

    @Test("elicitation: Tollgate cancels its own elicitation/create, the call gets no answer, other calls go on")
    func elicitation() async throws {
        let directory = try TemporaryDirectory("approval-cancel-elicit")
        let auditPath = directory.path("audit.log")
        let manifest = """
            {"version": 1, "policy": {"approvalTimeoutSeconds": 90},
             "tools": {"echo": {"approval": "ask"}, "record": {}},
             "audit": {"path": "\(auditPath)", "arguments": "full"}}
            """
        let session = try PolicySession("approval-cancel-elicit-run", manifest: manifest)
        let initialize = try await session.call(RPC.request(id: "0", method: "initialize", params:
            #"{"protocolVersion":"2025-11-25","capabilities":{"elicitation":{}},"clientInfo":{"name":"raw","version":"1"}}"#))
        #expect(initialize["id"].int == 0 && initialize["result"]["protocolVersion"].string != nil, "\(initialize)")
        let asked = try await session.call(RPC.toolCall(id: "1", name: "echo", arguments: #"{"text":"held"}"#))
        #expect(asked["method"].string == "elicitation/create", "Tollgate asks the client: \(asked)")
        let gateID = try #require(asked["id"].string, "Tollgate's request has a string id of its own: \(asked)")
        let withdrawn = try await session.call(cancel("1"))
        #expect(withdrawn["method"].string == "notifications/cancelled" && withdrawn["params"]["requestId"].string == gateID,
                "the one line for the client withdraws Tollgate's own request: \(withdrawn)")
        #expect(!withdrawn["id"].exists, "a notification has no id: \(withdrawn)")
        // The user's late answer to the withdrawn request runs nothing.
        try await session.gate.send(#"{"jsonrpc":"2.0","id":"\#(gateID)","result":{"action":"accept","content":{"approve":true}}}"#)
        let record = try await session.call(RPC.toolCall(id: "2", name: "record", arguments: #"{"n":1}"#))
        #expect(record["id"].int == 2 && record["result"]["isError"].bool != true, "the next line is the next call's answer: \(record)")
        let lines = try await session.sync()
        #expect(lines.isEmpty, "no answer to the cancelled call: \(lines.map(\.text))")
        #expect(!session.serverLogText.contains { $0.contains("held") || $0.contains("notifications/cancelled") || $0.contains("tollgate-") },
                "the server never saw the call, its cancellation or Tollgate's exchange: \(session.serverLogText)")
        #expect(try await session.finish() == 0)
        try await expectCancelledInAudit(auditPath, tool: "echo")
    }

    /// The pid the approver wrote, waiting for it up to 20 s.
    private func waitForPID(_ path: String) async throws -> pid_t {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOfFile: path, encoding: .utf8), let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return pid
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("the approver never started (no \(path))")
        throw CancellationError()
    }

    /// Waits up to 20 s (the approver would sleep 60 s) for the process to be gone.
    private func waitUntilGone(_ pid: pid_t) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if kill(pid, 0) != 0 && errno == ESRCH { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("the approver \(pid) still runs after the call was cancelled")
    }
}
