import Foundation
import Testing

/// The example agent (examples/python-agent/agent.py, on the official SDK) runs unchanged through
/// Tollgate in front of the real mcp-server-time with the shipped manifest: the README's demo.
@Suite("Examples", .timeLimit(.minutes(2)))
struct ExamplesTests {
    @Test("the Python agent's demo plan: allowed calls succeed, refused ones come back as tool errors, the session goes on",
          arguments: ["auto", "legacy"])
    func pythonAgentDemo(mode: String) async throws {
        let python = try await PythonEnvironment.python()
        let root = Repository.root
        let output = try await Subprocess.run([
            python, root + "/examples/python-agent/agent.py", "--mode", mode,
            "--plan", root + "/examples/python-agent/demo-plan.json", "--",
            try TollgateBinary.path(), "run", "--manifest", root + "/manifests/mcp-server-time.json", "--",
            python, "-m", "mcp_server_time",
        ], timeout: .seconds(45))
        let transcript = output.stdoutText
        #expect(output.status == 0, "stderr: \(output.stderr)")
        #expect(transcript.contains("tools offered: get_current_time, convert_time"), "\(transcript)")
        #expect(transcript.components(separatedBy: "agent: <- result:").count - 1 == 3, "three allowed calls: \(transcript)")
        #expect(transcript.contains("code=arguments_rejected, rule=tools.get_current_time"), "\(transcript)")
        #expect(transcript.contains("code=tool_denied, rule=policy.default"), "\(transcript)")
        #expect(transcript.hasSuffix("agent: session finished\n"), "\(transcript)")
        #expect(output.stderr.contains("tollgate: denied set_system_clock (tool_denied)"), "\(output.stderr)")
    }
}
