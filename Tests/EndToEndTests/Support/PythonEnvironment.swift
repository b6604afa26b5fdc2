import Foundation

/// The virtualenv of `scripts/python-env` (official MCP Python SDK 2.x, mcp-server-time, ...).
///
/// The script runs once per test process, however many tests ask concurrently: the first access
/// to `setup` starts one task and every caller awaits its result. When the script fails, every
/// test that needs the venv fails with the script's stderr: never a silent skip.
enum PythonEnvironment {
    private static let setup = Task<Result<String, E2EError>, Never> {
        do {
            // python-env itself waits up to 20 min for another process's install.
            let result = try await Subprocess.run([Repository.pythonEnvScript], timeout: .seconds(1500))
            let path = result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
            guard result.status == 0, !path.isEmpty else {
                return .failure(E2EError("""
                    scripts/python-env failed (exit \(result.status)); the SDK tests need its venv. Its stderr:
                    \(result.stderr)
                    """))
            }
            guard FileManager.default.isExecutableFile(atPath: path + "/bin/python") else {
                return .failure(E2EError("scripts/python-env printed \(path), which has no bin/python"))
            }
            return .success(path)
        } catch {
            return .failure(E2EError("scripts/python-env could not run: \(error)"))
        }
    }

    /// The venv's path; throws (failing the test) with the script's stderr if it cannot be made.
    static func venv() async throws -> String {
        try await setup.value.get()
    }

    /// The venv's interpreter.
    static func python() async throws -> String {
        try await venv() + "/bin/python"
    }
}
