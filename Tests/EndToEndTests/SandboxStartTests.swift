import Foundation
import Testing
import TollgateKit
#if canImport(Glibc)
import Glibc
#endif

/// Starting sandboxed servers: a sandbox the kernel cannot provide, required or not; several
/// servers; Tollgate as an ordinary user.
@Suite("Sandbox: start-up, required or not, several servers, not root", .timeLimit(.minutes(2)))
struct SandboxStartTests {
    private let initialize = RPC.request(id: "1", method: "initialize",
                                         params: #"{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}"#)

    /// A manifest whose server `probe` (the probe fixture) asks for `sandbox` (JSON members).
    private func probeManifest(_ sandbox: String, python: String, in directory: TemporaryDirectory) throws -> String {
        try writeFile("""
            {
              "version": 1, "policy": {"default": "allow"}, "audit": {"path": "audit.log"},
              "servers": {"probe": {"command": "\(python)", "args": ["\(Repository.sandboxProbe)"],
                                    "sandbox": {"preset": "python", "filesystem": {"read": ["\(Repository.fixtures)"]}, \(sandbox)}}}
            }
            """, named: "probe.json", in: directory)
    }

    @Test("required (the default): a Landlock ABI above the kernel's stops the server with one line naming it, exit 126; the client is told")
    func requiredSandboxRefuses() async throws {
        let python = try await probePython()
        let directory = try TemporaryDirectory("sandbox-required")
        let abi = SandboxKernel.landlockABI
        let manifest = try probeManifest(#""landlockABI": \#(abi + 1)"#, python: python, in: directory)
        let output = try await runTollgate(["run", "--manifest", manifest], input: initialize + "\n")
        #expect(output.status == 126, "exit status: \(output.status); stderr: \(output.stderr)")
        let line = "cannot start '\(python)': its sandbox cannot be set up: the sandbox asks for Landlock ABI \(abi + 1) (landlockABI), this kernel offers ABI \(abi)"
        #expect(output.stderr.contains(line), "stderr: \(output.stderr)")
        #expect(output.stdoutText.contains(#""error""#) && output.stdoutText.contains("Landlock ABI \(abi + 1)"), "the client's initialize: \(output.stdoutText)")
        let records = fileLines(directory.path("audit.log")).compactMap { try? JSON(parsing: $0) }
        #expect(!records.contains { $0["event"].string == "sandbox" }, "nothing ran unsandboxed: \(records)")
        #expect(records.last?["event"].string == "server_exit" && records.last?["status"].string?.contains("Landlock ABI") == true, "\(records)")
    }

    @Test("required: false: a warning on stderr, a sandbox record in the audit trail, and the server runs unsandboxed")
    func optionalSandboxRunsUnsandboxed() async throws {
        let python = try await probePython()
        let directory = try TemporaryDirectory("sandbox-optional")
        _ = try writeFile("outside\n", named: "outside.txt", in: directory)
        let abi = SandboxKernel.landlockABI
        let manifest = try probeManifest(#""landlockABI": \#(abi + 1), "required": false"#, python: python, in: directory)
        let gate = try GateProcess(tollgate: ["run", "--manifest", manifest], in: directory)
        _ = try await gate.exchange(initialize, id: "1")
        let (response, _) = try await gate.exchange(RPC.toolCall(id: "2", name: "probe", arguments: #"{"kind": "read", "target": "\#(directory.path("outside.txt"))"}"#), id: "2")
        expectAllowed(try JSON(parsing: Array((resultText(response) ?? "").utf8)), "unsandboxed, the server reads what the sandbox would refuse")
        gate.closeInput()
        #expect(try await gate.waitForExit() == 0)
        #expect(gate.stderrText.contains("warning: server probe runs UNSANDBOXED (its sandbox is not required): its sandbox cannot be set up: "
                                         + "the sandbox asks for Landlock ABI \(abi + 1)"), "stderr: \(gate.stderrText)")
        let records = fileLines(directory.path("audit.log")).compactMap { try? JSON(parsing: $0) }
        let record = records.first { $0["event"].string == "sandbox" }
        #expect(record?["result"].string == "unsandboxed" && record?["server"].string == "probe"
                && record?["reason"].string?.contains("Landlock ABI \(abi + 1)") == true, "the audit trail: \(records)")
        #expect(try await runTollgate(["audit", "verify", directory.path("audit.log")]).status == 0)
    }

    @Test("several servers: one whose sandbox cannot be provided does not start (reported), the other runs in its sandbox")
    func severalServers() async throws {
        let python = try await probePython()
        let directory = try TemporaryDirectory("sandbox-several")
        _ = try writeFile("outside\n", named: "outside.txt", in: directory)
        let abi = SandboxKernel.landlockABI
        let manifest = try writeFile("""
            {
              "version": 1, "policy": {"default": "allow"},
              "servers": {
                "held": {"command": "\(python)", "args": ["\(Repository.sandboxProbe)"],
                         "sandbox": {"preset": "python", "filesystem": {"read": ["\(Repository.fixtures)"]}}},
                "refused": {"command": "\(python)", "args": ["\(Repository.sandboxProbe)"],
                            "sandbox": {"preset": "python", "landlockABI": \(abi + 1)}}
              }
            }
            """, named: "several.json", in: directory)
        let gate = try GateProcess(tollgate: ["run", "--manifest", manifest], in: directory)
        _ = try await gate.exchange(initialize, id: "1")
        try await gate.send(RPC.notification(method: "notifications/initialized"))
        let arguments = #"{"kind": "read", "target": "\#(directory.path("outside.txt"))"}"#
        let (held, _) = try await gate.exchange(RPC.toolCall(id: "2", name: "held__probe", arguments: arguments), id: "2")
        expectRefused(try JSON(parsing: Array((resultText(held) ?? "").utf8)), "EACCES", "the sandboxed server reads outside")
        let (refused, _) = try await gate.exchange(RPC.toolCall(id: "3", name: "refused__probe", arguments: arguments), id: "3")
        #expect(refused["result"]["_meta"]["dev.tollgate/denial"]["code"].string == "server_unavailable", "\(refused)")
        gate.closeInput()
        _ = try await gate.waitForExit()
        #expect(gate.stderrText.contains("the sandbox asks for Landlock ABI \(abi + 1) (landlockABI), this kernel offers ABI \(abi)"), "\(gate.stderrText)")
    }

    @Test("doctor reports this kernel's Landlock ABI, namespaces and cgroups; with a manifest, whether each sandbox can be set up (exit 1 when a required one cannot)")
    func doctor() async throws {
        let abi = SandboxKernel.landlockABI
        let report = try await runTollgate(["doctor"])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdoutText.hasPrefix("Landlock: ABI \(abi) -> ") && report.stdoutText.contains("network namespace")
                && report.stdoutText.contains("cgroup v2 delegation: ") && report.stdoutText.contains("pathname Unix socket"), "\(report.stdoutText)")
        let directory = try TemporaryDirectory("sandbox-doctor")
        let manifest = try writeFile("""
            {"version": 1, "servers": {
              "fine": {"command": "/bin/true", "sandbox": {"preset": "binary"}},
              "missing": {"command": "/bin/true", "sandbox": {"preset": "binary", "filesystem": {"read": ["\(directory.path("nothing"))"]}}},
              "newer": {"command": "/bin/true", "sandbox": {"preset": "binary", "landlockABI": \(abi + 1), "required": false}},
              "plain": {"command": "/bin/true"}}}
            """, named: "doctor.json", in: directory)
        let checked = try await runTollgate(["doctor", "--manifest", manifest])
        #expect(checked.status == 1, "a required sandbox cannot be set up: \(checked.stdoutText)")
        let lines = checked.stdoutText.split(separator: "\n").filter { $0.hasPrefix("server ") }
        #expect(lines == ["server fine: sandbox OK (preset binary, network none)",
                          "server missing: sandbox NOT AVAILABLE, the server would not start: \(directory.path("nothing")) (filesystem.read) does not exist",
                          "server newer: sandbox not available, the server would run UNSANDBOXED (not required): the sandbox asks for Landlock ABI \(abi + 1) (landlockABI), this kernel offers ABI \(abi)",
                          "server plain: no sandbox"], "\(checked.stdoutText)")
    }

    @Test("Tollgate as an ordinary user (setpriv): a user namespace gives the server its network namespace; every probe refused, or the refusal says why")
    func notRoot() async throws {
        let launcher = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
        let tollgate = try TollgateBinary.path()
        let check = try await Subprocess.run(launcher + [tollgate, "--version"], timeout: .seconds(20))
        try #require(check.status == 0, "uid 65534 cannot run \(tollgate) (its folders or the Swift runtime are not readable to it): \(check.stderr)")
        if let hint = SandboxKernel.userNamespaceHint() {
            // This machine refuses user namespaces to ordinary users: Tollgate must say exactly why.
            let directory = try TemporaryDirectory("sandbox-nonroot-refused")
            chmod(directory.path, 0o777)
            let output = try await Subprocess.run(launcher + [tollgate, "run", "--sandbox", "binary", "--", "/bin/true"],
                                                  input: initialize + "\n", timeout: .seconds(20))
            #expect(output.status == 126 && output.stderr.contains("user namespace") && output.stderr.contains(hint), "\(output.stderr)")
            return
        }
        try await SandboxTests.probeEverything(label: "sandbox-nonroot", launcher: launcher) { arena in
            chmod(arena.directory.path, 0o755)
            for path in ([arena.directory.path] + (FileManager.default.subpaths(atPath: arena.directory.path) ?? []).map { arena.directory.path + "/" + $0 }) {
                chown(path, 65534, 65534)
            }
        }
    }
}
