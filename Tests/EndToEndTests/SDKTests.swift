import Foundation
import Testing

/// The official MCP Python SDK (2.x) as the client, through tollgate, against the fixture and a
/// real server, in both the legacy (2025 handshake) and auto (2026-07-28 when offered) modes.
@Suite("Python SDK client", .timeLimit(.minutes(2)))
struct SDKTests {
    /// Runs `sdk_client.py` with `script` against `tollgate run -- server...`; returns its report.
    private func runClient(
        mode: String, script: String, server: [String], extra: [String] = []
    ) async throws -> JSON {
        let python = try await PythonEnvironment.python()
        let tollgate = try TollgateBinary.path()
        let arguments = [python, Repository.sdkClient, "--mode", mode, "--script", script,
                         "--timeout", "20", "--deadline", "40"] + extra + ["--", tollgate, "run", "--"] + server
        let output = try await Subprocess.run(arguments, timeout: .seconds(50))
        let report = try JSON(parsing: output.stdout)
        #expect(output.status == 0, "sdk_client.py exited \(output.status): \(report["fatal"]); stderr:\n\(output.stderr.suffix(3000))")
        #expect(report["fatal"].exists == false, "session failed: \(report["fatal"])")
        return report
    }

    @Test("fixture server through tollgate", arguments: ["legacy", "auto"])
    func fixtureServer(mode: String) async throws {
        let text = "héllo, wörld ✓ \"quoted\" \\ /"
        let script = try jsonText([
            ["op": "list_tools"],
            ["op": "call_tool", "name": "echo", "arguments": ["text": text]],
            ["op": "call_tool", "name": "no_such_tool", "arguments": [String: String]()],
            ["op": "call_tool", "name": "ask_sampling", "arguments": ["prompt": "Write a haiku."]],
        ])
        let report = try await runClient(mode: mode, script: script, server: GateProcess.fixtureServer,
                                         extra: ["--sampling-reply", "a sampled reply ✓"])
        let version = report["protocolVersion"].string ?? ""
        if mode == "legacy" {
            #expect(version.hasPrefix("2025-"), "legacy mode negotiated \(version)")
        } else {
            #expect(version == "2026-07-28", "auto mode should reach 2026-07-28 through tollgate, got \(version)")
        }
        let steps = try #require(report["steps"].array, "\(report)")
        try #require(steps.count == 4, "\(report)")
        let tools = steps[0]["tools"].strings ?? []
        #expect(Set(["echo", "add", "sleep", "ask_sampling", "ping_client"]).isSubset(of: Set(tools)), "tools: \(tools)")
        #expect(steps[1]["isError"].bool == false && steps[1]["text"].string == text, "echo: \(steps[1])")
        #expect(steps[2]["error"]["code"].int == -32602, "unknown tool: \(steps[2])")
        #expect(steps[3]["isError"].bool == false && steps[3]["text"].string == "a sampled reply ✓", "sampling: \(steps[3])")
        #expect(report["samplings"].array?.count == 1, "the client should have been asked once: \(report["samplings"])")
    }

    @Test("mcp-server-time (a real server) through tollgate", arguments: ["legacy", "auto"])
    func timeServer(mode: String) async throws {
        let python = try await PythonEnvironment.python()
        let script = try jsonText([
            ["op": "list_tools"],
            ["op": "call_tool", "name": "get_current_time", "arguments": ["timezone": "UTC"]],
        ])
        let report = try await runClient(mode: mode, script: script, server: [python, "-m", "mcp_server_time"])
        let steps = try #require(report["steps"].array, "\(report)")
        try #require(steps.count == 2, "\(report)")
        let tools = steps[0]["tools"].strings ?? []
        #expect(tools.contains("get_current_time") && tools.contains("convert_time"), "tools: \(tools)")
        #expect(steps[1]["isError"].bool == false, "get_current_time: \(steps[1])")
        #expect(steps[1]["error"].exists == false, "get_current_time: \(steps[1])")
        let text = steps[1]["text"].string ?? ""
        #expect(text.contains("UTC"), "get_current_time: \(steps[1])")
    }

    private func jsonText(_ value: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value), as: UTF8.self)
    }
}
