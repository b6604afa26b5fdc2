import Foundation

/// Runs git in `repo` with no user or system configuration; returns its trimmed stdout.
@discardableResult
func git(_ arguments: [String], in repo: String) async throws -> String {
    let output = try await Subprocess.run(
        ["git", "-C", repo, "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"] + arguments,
        environment: ["GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
                      "GIT_AUTHOR_NAME": "Tollgate Test", "GIT_AUTHOR_EMAIL": "test@tollgate.invalid",
                      "GIT_COMMITTER_NAME": "Tollgate Test", "GIT_COMMITTER_EMAIL": "test@tollgate.invalid"],
        timeout: .seconds(20))
    guard output.status == 0 else { throw E2EError("git \(arguments) exited \(output.status): \(output.stderr)") }
    return output.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
}

/// A git repository at `repo` in `directory` with one commit ("initial commit" of README.md,
/// "hello"); returns its path.
func makeRepository(in directory: TemporaryDirectory) async throws -> String {
    let repo = directory.path("repo")
    try FileManager.default.createDirectory(atPath: repo, withIntermediateDirectories: false)
    try await git(["init", "-q"], in: repo)
    try writeFile("hello\n", named: "repo/README.md", in: directory)
    try await git(["add", "README.md"], in: repo)
    try await git(["commit", "-q", "-m", "initial commit"], in: repo)
    return repo
}
