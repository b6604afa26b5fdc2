import Foundation
import Testing

/// The official MCP Python SDK (2.x), in the legacy (2025 handshake) and auto (2026-07-28) modes,
/// through `tollgate run --manifest M -- python3 fixture_server.py`: the SDK sees the filtered
/// tool list, gets denials as tool errors with the denial `_meta`, and the session goes on.
@Suite("Policy with the Python SDK", .timeLimit(.minutes(2)))
struct PolicySDKTests {
    @Test("list_tools hides denied tools; a denied call is a tool error and the next call succeeds", arguments: ["legacy", "auto"])
    func deniedCallThenSessionGoesOn(mode: String) async throws {
        let directory = try TemporaryDirectory("sdk-policy-\(mode)")
        let manifest = try writeFile(PolicyTests.manifest, named: "manifest.json", in: directory)
        let log = directory.path("fixture.log")
        let script: [[String: Any]] = [
            ["op": "list_tools"],
            ["op": "call_tool", "name": "delete_file", "arguments": ["path": "/etc/passwd"]],
            ["op": "call_tool", "name": "echo", "arguments": ["text": "after the denial ✓"]],
            ["op": "call_tool", "name": "sleep", "arguments": ["ms": 5000]],
            ["op": "call_tool", "name": "add", "arguments": ["a": "x", "b": 1]],
            ["op": "call_tool", "name": "add", "arguments": ["a": 2, "b": 3]],
        ]
        // FIXTURE_PAGE_SIZE=2: the SDK walks six pages, some of them emptied by the gate.
        let report = try await SDKClient.run(
            mode: mode, script: script,
            command: [try TollgateBinary.path(), "run", "--manifest", manifest, "--"] + GateProcess.fixtureServer,
            extra: ["--env", "FIXTURE_PAGE_SIZE=2", "--env", "FIXTURE_LOG=\(log)", "--env", "FIXTURE_QUIET=1"])

        let version = report["protocolVersion"].string ?? ""
        if mode == "legacy" {
            #expect(version.hasPrefix("2025-"), "legacy mode negotiated \(version)")
        } else {
            #expect(version == "2026-07-28", "auto mode should reach 2026-07-28 through tollgate, got \(version)")
        }
        let steps = try SDKClient.steps(report, count: 6)
        #expect(steps[0]["tools"].strings == PolicyTests.visibleTools, "list_tools: \(steps[0])")
        #expect(steps[0]["pages"].int == 6, "list_tools must follow every page: \(steps[0])")

        let denial = expectSDKDenial(steps[1], code: "tool_denied", tool: "delete_file", rule: "tools.delete_file", "delete_file")
        #expect(denial["reason"].string == "deleting files is not allowed here", "\(denial)")

        expectSDKSuccess(steps[2], tool: "echo", "echo after the denial")
        #expect(steps[2]["text"].string == "after the denial ✓", "\(steps[2])")

        expectSDKDenial(steps[3], code: "arguments_rejected", tool: "sleep", rule: "tools.sleep", pointer: "/ms", keyword: "maximum", "sleep 5000")
        // The SDK listed the tools, so the gate knows add's inputSchema.
        expectSDKDenial(steps[4], code: "arguments_rejected", tool: "add", rule: "inputSchema", pointer: "/a", keyword: "type", "add a:\"x\"")

        expectSDKSuccess(steps[5], tool: "add", "add after the denials")
        #expect(steps[5]["text"].string == "5", "\(steps[5])")

        let received = fileLines(log).map(\.text).filter { $0.contains("tools/call") }
        #expect(received.count == 2, "only echo and the last add may reach the server: \(received)")
        #expect(!received.contains { $0.contains("delete_file") || $0.contains(#""ms":5000"#) || $0.contains(#""a":"x""#) },
                "a denied call reached the server: \(received)")
    }
}
