import Foundation
import Testing

/// Human approval end to end: the official Python SDK's elicitation callback accepts or declines
/// a held call; a local approver command approves or denies one while other traffic flows; with
/// nobody to ask the call is denied; every decision is audited with who decided.
@Suite("Human approval", .timeLimit(.minutes(2)))
struct ApprovalTests {
    static func manifest(auditPath: String, approver: String? = nil) -> String {
        // Run by /bin/sh rather than exec'd: a script just written may still be open for writing in
        // a process another test forked meanwhile, and exec'ing it would fail (ETXTBSY).
        let add = approver.map { #"{"approval": {"command": ["/bin/sh", "\#($0)"]}}"# } ?? "{}"
        return """
            {"version": 1, "policy": {"approvalTimeoutSeconds": 20},
             "tools": {"echo": {"approval": "ask"}, "add": \(add), "record": {}},
             "audit": {"path": "\(auditPath)", "arguments": "full"}}
            """
    }

    private func auditRecords(_ path: String) throws -> [JSON] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { try JSON(parsing: String($0)) }
    }

    @Test("the SDK's elicitation callback approves (accept) or refuses (decline) a held call", arguments: ["accept", "decline"])
    func elicitation(action: String) async throws {
        let directory = try TemporaryDirectory("approval-sdk-\(action)")
        let auditPath = directory.path("audit.log")
        let manifest = try writeFile(Self.manifest(auditPath: auditPath), named: "manifest.json", in: directory)
        let log = directory.path("fixture.log")
        let script: [[String: Any]] = [
            ["op": "call_tool", "name": "echo", "arguments": ["text": "approved by a person"]],
            ["op": "call_tool", "name": "record", "arguments": ["n": 1]],
        ]
        let report = try await SDKClient.run(
            mode: "legacy", script: script,
            command: [try TollgateBinary.path(), "run", "--manifest", manifest, "--"] + GateProcess.fixtureServer,
            extra: ["--elicitation", action, "--env", "FIXTURE_LOG=\(log)", "--env", "FIXTURE_QUIET=1"])
        let steps = try SDKClient.steps(report, count: 2)
        let elicitations = try #require(report["elicitations"].array)
        #expect(elicitations.count == 1, "the client was asked once: \(report)")
        #expect(elicitations.first?["message"].string?.contains(#""echo""#) == true, "the request names the tool: \(elicitations)")
        #expect(elicitations.first?["message"].string?.contains("approved by a person") == true, "and shows the arguments: \(elicitations)")
        let received = fileLines(log).map(\.text).filter { $0.contains("tools/call") }
        if action == "accept" {
            expectSDKSuccess(steps[0], tool: "echo", "accepted")
            #expect(steps[0]["text"].string == "approved by a person", "\(steps[0])")
            #expect(received.count == 2 && received[0].contains("approved by a person"), "\(received)")
        } else {
            let denial = expectSDKDenial(steps[0], code: "approval_denied", tool: "echo", rule: "tools.echo", "declined")
            #expect(denial["reason"].string?.contains("decline") == true, "\(denial)")
            #expect(received.count == 1 && !received[0].contains("approved by a person"), "a declined call never reaches the server: \(received)")
        }
        expectSDKSuccess(steps[1], tool: "record", "the session goes on")
        #expect(!fileLines(log).map(\.text).contains { $0.contains("tollgate-") }, "Tollgate's own exchange never reaches the server")

        let records = try auditRecords(auditPath)
        let approval = try #require(records.first { $0["event"].string == "approval" }, "an approval record")
        #expect(approval["by"].string == "client" && approval["approved"].bool == (action == "accept"), "\(approval)")
        #expect(approval["detail"].string == action, "\(approval)")
        let decision = records.first { $0["event"].string == "decision" && $0["tool"].string == "echo" }
        #expect(decision?["decision"].string == (action == "accept" ? "allowed" : "denied"), "\(records)")
        #expect(try await runTollgate(["audit", "verify", auditPath]).status == 0)
    }

    @Test("a 2026-07-28 client cannot be asked over stdio: the held call is denied approval_required, and audited")
    func statelessIsNotAsked() async throws {
        let directory = try TemporaryDirectory("approval-sdk-modern")
        let auditPath = directory.path("audit.log")
        let manifest = try writeFile(Self.manifest(auditPath: auditPath), named: "manifest.json", in: directory)
        let report = try await SDKClient.run(
            mode: "auto", script: [["op": "call_tool", "name": "echo", "arguments": ["text": "x"]]],
            command: [try TollgateBinary.path(), "run", "--manifest", manifest, "--"] + GateProcess.fixtureServer,
            extra: ["--elicitation", "accept", "--env", "FIXTURE_QUIET=1"])
        let steps = try SDKClient.steps(report, count: 1)
        expectSDKDenial(steps[0], code: "approval_required", tool: "echo", rule: "tools.echo", "stateless")
        #expect(report["elicitations"].array?.isEmpty == true, "\(report)")
        let approval = try auditRecords(auditPath).first { $0["event"].string == "approval" }
        #expect(approval?["by"].string == "none", "logged for review: \(String(describing: approval))")
    }

    @Test("an approver command approves (exit 0, reading the request on stdin) or denies (exit 1) while other traffic flows")
    func approverCommand() async throws {
        let directory = try TemporaryDirectory("approval-cmd")
        let auditPath = directory.path("audit.log")
        let seen = directory.path("request.json")
        let go = directory.path("go")
        // Approves sums of small numbers, but only once the test says go, which it does after the
        // ping sent behind the held call was answered: a blocked relay would never get there.
        let approver = try writeFile("""
            #!/bin/sh
            cat > '\(seen)'
            n=0
            while [ ! -e '\(go)' ] && [ $n -lt 400 ]; do sleep 0.05; n=$((n+1)); done
            if grep -q '"a":1,' '\(seen)'; then echo "ok by policy bot"; exit 0; fi
            echo "too big"; exit 1
            """, named: "approve.sh", in: directory)
        chmod(approver, 0o755)
        let session = try PolicySession("approval-cmd-run", manifest: Self.manifest(auditPath: auditPath, approver: approver))
        try await session.gate.send(RPC.toolCall(id: "1", name: "add", arguments: #"{"a":1,"b":2}"#))
        // While the approver runs, a ping is answered.
        try await session.gate.send(RPC.ping(id: "2"))
        let first = try await session.gate.readJSON()
        #expect(first["id"].int == 2, "the ping is answered while the approver runs: \(first)")
        try writeFile("", named: "go", in: directory)
        let approved = try await session.gate.readJSON()
        #expect(approved["id"].int == 1 && resultText(approved) == "3", "approved and run: \(approved)")
        let request = try JSON(parsing: String(contentsOfFile: seen, encoding: .utf8))
        #expect(request["tool"].string == "add" && request["rule"].string == "tools.add" && request["arguments"]["b"].int == 2, "\(request)")

        let denied = try await session.call(RPC.toolCall(id: "3", name: "add", arguments: #"{"a":50,"b":2}"#))
        let entry = expectDenial(denied, id: 3, code: "approval_denied", tool: "add", rule: "tools.add", "approver exit 1")
        #expect(entry["reason"].string?.contains("exit 1: too big") == true, "\(entry)")

        // echo has "ask" and the raw client declared no elicitation: nobody can approve.
        let required = try await session.call(RPC.toolCall(id: "4", name: "echo", arguments: #"{"text":"x"}"#))
        expectDenial(required, id: 4, code: "approval_required", tool: "echo", rule: "tools.echo", "no way to ask")
        try await session.sync()
        #expect(session.serverLogText.filter { $0.contains("tools/call") }.count == 1, "only the approved call ran: \(session.serverLogText)")
        #expect(try await session.finish() == 0)

        let approvals = try auditRecords(auditPath).filter { $0["event"].string == "approval" }
        #expect(approvals.map { $0["by"].string ?? "" } == ["command", "command", "none"], "\(approvals)")
        #expect(approvals.first?["detail"].string == "/bin/sh: exit 0: ok by policy bot", "\(approvals)")
        #expect(approvals.map { $0["approved"].bool ?? true } == [true, false, false])
    }
}

/// Approval behind several servers: the same elicitation and approver command, the approved call
/// reaching only the server that owns it.
@Suite("Human approval, several servers", .timeLimit(.minutes(2)))
struct AggregatedApprovalTests {
    @Test("the SDK's elicitation callback approves or refuses a held b__echo; only b sees it, and only when approved", arguments: ["accept", "decline"])
    func elicitation(action: String) async throws {
        let directory = try TemporaryDirectory("approval-aggregated-\(action)")
        let manifest = try AggregationTests.twoFixtures(
            directory, tools: #"{"b__echo": {"approval": "ask"}, "a__add": {"approval": {"command": ["/bin/true"], "ask": false}}}"#)
        let script: [[String: Any]] = [
            ["op": "call_tool", "name": "b__echo", "arguments": ["text": "approved by a person"]],
            ["op": "call_tool", "name": "a__add", "arguments": ["a": 2, "b": 3]],
            ["op": "call_tool", "name": "a__echo", "arguments": ["text": "not held"]],
        ]
        let report = try await SDKClient.run(mode: "legacy", script: script, command: [try TollgateBinary.path(), "run", "--manifest", manifest],
                                             extra: ["--elicitation", action])
        let steps = try SDKClient.steps(report, count: 3)
        let elicitations = try #require(report["elicitations"].array)
        #expect(elicitations.count == 1 && elicitations.first?["message"].string?.contains(#""b__echo""#) == true, "\(report)")
        let logA = fileLines(directory.path("A.log")).map(\.text).filter { $0.contains("tools/call") }
        let logB = fileLines(directory.path("B.log")).map(\.text).filter { $0.contains("tools/call") }
        if action == "accept" {
            #expect(steps[0]["text"].string == "approved by a person", "\(steps[0])")
            #expect(logB.count == 1 && logB[0].contains(#""name":"echo""#), "b got the approved call under its own name: \(logB)")
        } else {
            expectSDKDenial(steps[0], code: "approval_denied", tool: "b__echo", rule: "tools.b__echo", "declined")
            #expect(logB.isEmpty, "a declined call never reaches a server: \(logB)")
        }
        expectSDKSuccess(steps[1], tool: "a__add", "the approver command approved it")
        #expect(steps[2]["text"].string == "not held", "\(steps[2])")
        #expect(logA.count == 2 && !logA.joined().contains("approved by a person"), "a never sees b's call: \(logA)")
        #expect(!(logA + logB).joined().contains("tollgate-"), "Tollgate's own exchange never reaches a server")
    }
}
