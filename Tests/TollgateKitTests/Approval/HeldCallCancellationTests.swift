import Testing
@testable import TollgateKit
#if canImport(Glibc)
import Glibc
#endif

private let manifest = """
    {"version": 1, "policy": {"approvalTimeoutSeconds": 30}, "tools": {
      "echo": {"approval": "ask"},
      "add": {"approval": {"command": ["/usr/local/bin/approve"]}}
    }}
    """

private let initialize = #"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{"elicitation":{}},"clientInfo":{"name":"c","version":"1"}}}"#

private func toolCall(id: Int, _ name: String) -> String {
    #"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"\#(name)","arguments":{"a":1}}}"#
}

private func cancelled(_ id: String, reason: String = "the user stopped it") -> String {
    #"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":\#(id),"reason":"\#(reason)"}}"#
}

/// A session over the manifest's gate (recording into `audit` when given), with a fixed nonce.
private func makeSession(elicits: Bool, audit: AuditTrail? = nil) throws -> RelaySession {
    let loaded = try #require(try? parseManifest(manifest).get())
    var session = RelaySession(gate: EffectingGate(manifest: loaded, audit: audit))
    session.approvals = ApprovalState(nonce: "n")
    if elicits { _ = session.cancelClient(initialize, at: 0) }
    return session
}

extension RelaySession {
    fileprivate mutating func cancelClient(_ line: String, at now: Int64) -> RelayActions {
        bytes(line).withUnsafeBytes { clientLine($0, now: now) }
    }
}

/// What only the session for one server does when a held call is cancelled (the rest:
/// SessionApprovalCancellationTests).
@Suite("Approval: the client cancels a held call")
struct HeldCallCancellationTests {
    @Test("a cancellation of a call Tollgate does not hold goes on to the server unchanged", arguments: [
        cancelled("8"), cancelled(#""7""#), #"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{}}"#,
    ])
    func otherCancellationsPass(_ line: String) throws {
        var session = try makeSession(elicits: true)
        _ = session.cancelClient(toolCall(id: 7, "echo"), at: 0)
        #expect(session.cancelClient(line, at: 1).forward == .original)
        #expect(session.approvals.held.count == 1, "the held call 7 (a number, not the string \"7\") is still held")
    }

    @Test("the audit trail records the cancelled approval (by: cancelled) and the call denied, never forwarded")
    func cancellationIsAudited() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let log = try AuditLog.open(path: scratch.file("audit.log"))
        var session = try makeSession(elicits: true, audit: AuditTrail(log: log, arguments: .full, server: "s"))
        _ = session.cancelClient(toolCall(id: 7, "echo"), at: 0)
        _ = session.cancelClient(cancelled("7", reason: "user pressed stop"), at: 5)
        try log.close()
        let records = try auditLines(scratch.file("audit.log")).map(json)
        let approval = try #require(records.first { $0["event"] == "approval" })
        #expect(approval["by"] == "cancelled" && approval["approved"] == .bool(false) && approval["tool"] == "echo")
        #expect(approval["detail"]?.stringValue?.contains("user pressed stop") == true)
        let decision = try #require(records.first { $0["event"] == "decision" })
        #expect(decision["decision"] == "denied" && decision["code"] == "approval_denied")
        #expect(decision["reason"]?.stringValue?.contains("cancelled") == true)
        #expect(!records.contains { $0["event"] == "outcome" }, "nothing ran")
        #expect(verifyLines([("audit.log", try auditLines(scratch.file("audit.log")))]).isIntact)
    }

    @Test("an approver command is killed at once when its cancellation fires")
    func approverStops() throws {
        let cancellation = ApproverCancellation()
        let job = ApproverJob(token: 1, command: ["/bin/sh", "-c", "sleep 30"], input: bytes("{}\n"), timeoutMilliseconds: 60_000)
        let started = SystemClock.monotonicMilliseconds()
        // Fired while the approver runs (the run loop also checks before it waits).
        startThread {
            usleep(200_000)
            cancellation.cancel()
        }
        let result = ApproverCommand.run(job, cancellation: cancellation)
        #expect(result == .cancelled)
        #expect(SystemClock.monotonicMilliseconds() - started < 20_000, "not the approver's 30 s, nor its 60 s limit")
        #expect(result.detail(command: job.command) == "/bin/sh: stopped, the call was cancelled")
    }
}
