import Foundation
import Testing

/// The example agent (examples/python-agent/agent.py, on the official SDK) runs unchanged through
/// Tollgate in front of the real mcp-server-git with the shipped manifest used as it is: the
/// README's demo (scripts/demo), on a throwaway repository.
@Suite("Examples", .timeLimit(.minutes(2)))
struct ExamplesTests {
    @Test("the Python agent's demo plan: allowed reads succeed, refused calls to real tools come back as tool errors, the session goes on",
          arguments: ["auto", "legacy"])
    func pythonAgentDemo(mode: String) async throws {
        let python = try await PythonEnvironment.python()
        let root = Repository.root
        let directory = try TemporaryDirectory("demo-\(mode)")
        let repo = directory.path("project")
        try FileManager.default.createDirectory(atPath: repo, withIntermediateDirectories: false)
        let git = ["git", "-C", repo, "-c", "user.name=Demo", "-c", "user.email=demo@tollgate.invalid", "-c", "commit.gpgsign=false"]
        try writeFile("# a project\n", named: "project/README.md", in: directory)
        for step in [["init", "-q"], ["add", "README.md"], ["commit", "-q", "-m", "first commit"]] {
            let output = try await Subprocess.run(git + step, environment: ["GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"], timeout: .seconds(20))
            try #require(output.status == 0, "git \(step): \(output.stderr)")
        }
        try writeFile("not for the agent to commit\n", named: "project/notes.txt", in: directory)
        let output = try await Subprocess.run([
            python, root + "/examples/python-agent/agent.py", "--mode", mode,
            "--plan", root + "/examples/python-agent/demo-plan.json", "--",
            try TollgateBinary.path(), "run", "--manifest", root + "/manifests/mcp-server-git.json", "--",
            python, "-m", "mcp_server_git", "--repository", repo,
        ], environment: ["REPO": repo], directory: repo, timeout: .seconds(60))
        let transcript = output.stdoutText
        #expect(output.status == 0, "stderr: \(output.stderr)")
        #expect(transcript.contains("tools offered: git_status, git_diff_unstaged, git_diff_staged, git_diff, git_log, git_show, git_branch"), "\(transcript)")
        #expect(transcript.components(separatedBy: "agent: <- result:").count - 1 == 3, "three allowed calls: \(transcript)")
        #expect(transcript.contains("code=arguments_rejected, rule=tools.git_log"), "\(transcript)")
        #expect(transcript.contains("code=tool_denied, rule=tools.git_add"), "\(transcript)")
        #expect(transcript.contains("code=tool_denied, rule=tools.git_commit"), "\(transcript)")
        #expect(transcript.contains("code=arguments_rejected, rule=tools.git_status"), "\(transcript)")
        #expect(transcript.hasSuffix("agent: session finished\n"), "\(transcript)")
        #expect(output.stderr.contains("tollgate: denied git_commit (tool_denied)"), "\(output.stderr)")
        let status = try await Subprocess.run(git + ["status", "--porcelain"], timeout: .seconds(20))
        #expect(status.stdoutText == "?? notes.txt\n", "nothing staged: \(status.stdoutText)")
    }

    @Test("examples/shared-budget/run-demo: two gates against one Redis, each agent capped, one budget shared; budget show lists both scopes")
    func sharedBudgetDemo() async throws {
        _ = try RedisServer.binary()
        let output = try await Subprocess.run([Repository.root + "/examples/shared-budget/run-demo"],
                                              environment: ["TOLLGATE": try TollgateBinary.path(), "SERVER": "python3 \(Repository.fixtureServer)",
                                                            "FIXTURE_QUIET": "1", "TOLLGATE_STORE": nil],
                                              timeout: .seconds(60))
        let text = output.stdoutText
        #expect(output.status == 0, "\(text)\n\(output.stderr)")
        #expect(text.contains("research call 4: denied (budget_exhausted)") && text.components(separatedBy: ": forwarded").count - 1 == 5, "\(text)")
        for row in ["global          tools.get_current_time.budget.calls  5 (100%)  5", "agent:research  budgets.calls                        3 (100%)  3",
                    "agent:writer    budgets.calls                        2 (67%)   3"] {
            #expect(text.contains(row), "\(row) in:\n\(text)")
        }
    }
}

