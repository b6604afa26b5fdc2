import Foundation
import Testing

/// Tool pinning: `init` pins every tool, a server that changes a pinned tool's description
/// between `tools/list` calls gets that tool removed and its calls denied (`tool_changed`,
/// audited), and `tollgate pin` rewrites only the pins of the manifest file.
@Suite("Tool pinning", .timeLimit(.minutes(2)))
struct PinningTests {
    /// `tollgate init` for the fixture, with an audit log added; returns the manifest's text.
    private func pinnedManifest(auditPath: String) async throws -> String {
        let output = try await runTollgate(["init", "--"] + GateProcess.fixtureServer, environment: ["FIXTURE_QUIET": "1"])
        try #require(output.status == 0, "init: \(output.stderr)")
        var manifest = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout)) as? [String: Any])
        let echo = try #require((manifest["tools"] as? [String: Any])?["echo"] as? [String: Any], "\(output.stdoutText)")
        let pin = try #require(echo["pin"] as? String, "init pins every tool: \(echo)")
        #expect(pin.hasPrefix("sha256:") && pin.count == 71, "pin: \(pin)")
        manifest["audit"] = ["path": auditPath, "arguments": "full"]
        manifest["servers"] = nil
        return try jsonText(manifest)
    }

    private func listedNames(_ response: JSON) -> [String] {
        (response["result"]["tools"].value as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
    }

    @Test("a server that changes a tool's description between tools/list calls gets that tool blocked (tool_changed, audited)")
    func rugPullIsBlocked() async throws {
        let directory = try TemporaryDirectory("pin-rug")
        let auditPath = directory.path("audit.log")
        let manifest = try await pinnedManifest(auditPath: auditPath)
        let session = try PolicySession("pin-rug-run", manifest: manifest, environment: ["FIXTURE_RUG_PULL": "echo"])

        let first = try await session.call(RPC.request(id: "1", method: "tools/list"))
        #expect(listedNames(first).contains("echo"), "the pinned definition is listed: \(first)")
        let before = try await session.call(RPC.toolCall(id: "2", name: "echo", arguments: #"{"text":"before"}"#))
        #expect(resultText(before) == "before", "\(before)")

        let second = try await session.call(RPC.request(id: "3", method: "tools/list"))
        #expect(!listedNames(second).contains("echo"), "the changed tool is removed: \(listedNames(second))")
        #expect(listedNames(second).contains("add"), "other tools stay: \(listedNames(second))")

        let after = try await session.call(RPC.toolCall(id: "4", name: "echo", arguments: #"{"text":"after"}"#))
        let entry = expectDenial(after, id: 4, code: "tool_changed", tool: "echo", rule: "tools.echo", "echo after the change")
        #expect(entry["reason"].string?.contains("description changed") == true, "the reason names what changed: \(entry)")
        #expect((entry["changed"].value as? [String]) == ["description"], "\(entry)")
        try await session.sync()
        #expect(!session.serverLogText.contains { $0.contains("after") }, "the blocked call never reaches the server")
        #expect(session.gate.stderrText.contains("blocked tool echo (tool_changed)"), "stderr: \(session.gate.stderrText)")
        #expect(try await session.finish() == 0)

        let records = try String(contentsOfFile: auditPath, encoding: .utf8).split(separator: "\n").map { try JSON(parsing: String($0)) }
        let change = try #require(records.first { $0["event"].string == "tool_changed" }, "a record of the block")
        #expect(change["tool"].string == "echo" && (change["changed"].value as? [String]) == ["description"], "\(change)")
        #expect(change["pin"].string != change["listed"].string, "\(change)")
        let denial = records.first { $0["event"].string == "decision" && $0["code"].string == "tool_changed" }
        #expect(denial?["decision"].string == "denied", "the denied call is recorded: \(records)")
        let verified = try await runTollgate(["audit", "verify", auditPath])
        #expect(verified.status == 0, "\(verified.stderr)")
    }

    @Test("tollgate pin rewrites a stale pin in place and leaves the rest of the file byte for byte; the tool runs again")
    func pinRefreshes() async throws {
        let directory = try TemporaryDirectory("pin-cmd")
        let stale = "sha256:" + String(repeating: "ab", count: 32)
        let original = """
            // reviewed 2026-11-01
            {
              "version": 1,
              "tools": {
                "echo": { "allow": true, "pin": "\(stale)" },  // keep
                "add": {
                  "allow": true
                },
                "e*": { "allow": false },
              },
            }
            """
        let path = try writeFile(original, named: "tollgate.json", in: directory)

        // With the stale pin, echo is blocked from the first listing (which part changed is unknown).
        let session = try PolicySession("pin-stale", manifest: original)
        let listed = try await session.call(RPC.request(id: "1", method: "tools/list"))
        #expect(!listedNames(listed).contains("echo") && listedNames(listed).contains("add"), "\(listedNames(listed))")
        let denied = try await session.call(RPC.toolCall(id: "2", name: "echo", arguments: #"{"text":"x"}"#))
        let entry = expectDenial(denied, id: 2, code: "tool_changed", tool: "echo", rule: "tools.echo", "stale pin")
        #expect(entry["reason"].string?.contains("no longer matches the pin \(stale)") == true, "\(entry)")
        #expect(try await session.finish() == 0)

        let output = try await runTollgate(["pin", "--manifest", path, "--"] + GateProcess.fixtureServer, environment: ["FIXTURE_QUIET": "1"])
        #expect(output.status == 0, "pin: \(output.stderr)")
        #expect(output.stdoutText.contains("updated echo: \(stale) -> sha256:"), "\(output.stdoutText)")
        #expect(output.stdoutText.contains("pinned add: sha256:"), "\(output.stdoutText)")
        #expect(output.stdoutText.contains("2 pins written"), "\(output.stdoutText)")
        let rewritten = try String(contentsOfFile: path, encoding: .utf8)
        let newPin = try #require(rewritten.firstMatch(of: /"echo": \{ "allow": true, "pin": "(sha256:[0-9a-f]{64})" \},  \/\/ keep/)?.1,
                                  "echo's pin replaced in place: \(rewritten)")
        #expect(rewritten.contains("// reviewed 2026-11-01") && rewritten.contains(#""e*": { "allow": false },"#), "\(rewritten)")
        #expect(rewritten.contains("\"add\": {\n      \"pin\": \"sha256:"), "add's pin is its first member, indented like it: \(rewritten)")
        let withoutPins = rewritten.replacing(/\s*"pin": "sha256:[0-9a-f]{64}",?/, with: "")
        #expect(withoutPins == original.replacing(/\s*"pin": "sha256:[0-9a-f]{64}",?/, with: ""), "nothing else changed: \(rewritten)")
        let check = try await runTollgate(["check", path])
        #expect(check.status == 0, "\(check.stderr)")

        let again = try await runTollgate(["pin", "--manifest", path, "--"] + GateProcess.fixtureServer, environment: ["FIXTURE_QUIET": "1"])
        #expect(again.stdoutText.contains("0 pins written, 2 unchanged; file not modified"), "\(again.stdoutText)")
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains(String(newPin)))

        let fixed = try PolicySession("pin-fixed", manifest: rewritten)
        let call = try await fixed.call(RPC.toolCall(id: "1", name: "echo", arguments: #"{"text":"back"}"#))
        #expect(resultText(call) == "back", "\(call)")
        #expect(try await fixed.finish() == 0)
    }
}
