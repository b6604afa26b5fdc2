import Foundation
import Testing

/// Tollgate's own secrets (the audit key) stay Tollgate's: the server, an approver command and the
/// server `init` starts never get them, and `/proc/<tollgate pid>/environ` no longer shows them
/// while Tollgate runs; the key still signs the audit log.
@Suite("Secret environment", .timeLimit(.minutes(2)))
struct SecretEnvironmentTests {
    static let key = "TOLLGATE_AUDIT_KEY"
    /// A passphrase (not hex), so that the key bytes are these characters.
    static let value = "e2e-audit-passphrase-not-for-children-4711"

    @Test("the audit key reaches neither the server nor an approver command, and leaves /proc/<pid>/environ; the log is still keyed")
    func keptFromChildren() async throws {
        let directory = try TemporaryDirectory("secret-env")
        let auditPath = directory.path("audit.log")
        let approverEnvironment = directory.path("approver.env")
        let approver = try writeFile("""
            #!/bin/sh
            cat > /dev/null
            env > '\(approverEnvironment)'
            echo "approved"
            exit 0
            """, named: "approve.sh", in: directory)
        let session = try PolicySession("secret-env", manifest: """
            {"version": 1, "tools": {"env": {}, "add": {"approval": {"command": ["/bin/sh", "\(try jsonEscaped(approver))"]}}},
             "audit": {"path": "\(try jsonEscaped(auditPath))", "arguments": "full"}}
            """, environment: [Self.key: Self.value, "PLANTED_PLAIN": "kept"])

        let answer = try await session.call(RPC.toolCall(id: "1", name: "env"))
        let serverText = try #require(resultText(answer), "\(answer)")
        let server = try JSON(parsing: serverText)
        #expect(server[Self.key].exists == false && !serverText.contains(Self.value), "the server got the key: \(serverText)")
        #expect(server["PLANTED_PLAIN"].string == "kept", "other variables are inherited: \(serverText)")

        // While Tollgate runs (it has answered, so it is past its start-up): what root, or before
        // PR_SET_DUMPABLE a process of the same user, reads of its environment.
        let environ = try #require(FileManager.default.contents(atPath: "/proc/\(session.gate.pid)/environ"), "read /proc/\(session.gate.pid)/environ")
        #expect(environ.range(of: Data(Self.value.utf8)) == nil, "the key's value is still in /proc/<pid>/environ")
        let entries = environ.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        #expect(entries.contains("\(Self.key)="), "the entry is there with its value overwritten in place: \(entries.filter { $0.hasPrefix("TOLLGATE") })")
        #expect(entries.contains("PLANTED_PLAIN=kept"))

        let approved = try await session.call(RPC.toolCall(id: "2", name: "add", arguments: #"{"a":1,"b":2}"#))
        #expect(resultText(approved) == "3", "the approver approved: \(approved)")
        let approverText = try String(contentsOfFile: approverEnvironment, encoding: .utf8)
        #expect(!approverText.contains(Self.key) && !approverText.contains(Self.value), "the approver got the key: \(approverText)")
        #expect(approverText.contains("PLANTED_PLAIN=kept"), "\(approverText)")
        #expect(try await session.finish() == 0)

        // The key was still read: the log is an HMAC chain under it.
        let verified = try await runTollgate(["audit", "verify", auditPath], environment: [Self.key: Self.value])
        #expect(verified.status == 0 && verified.stdoutText.contains("keyed (HMAC-SHA-256)"), "\(verified.stdoutText)\(verified.stderr)")
        let unkeyed = try await runTollgate(["audit", "verify", auditPath], environment: [Self.key: nil])
        #expect(unkeyed.status == 1 && unkeyed.stderr.contains("cannot verify without TOLLGATE_AUDIT_KEY"), "\(unkeyed.stderr)")
    }

    @Test("the server tollgate init starts does not get the key")
    func keptFromInit() async throws {
        let directory = try TemporaryDirectory("secret-env-init")
        let seen = directory.path("server.env")
        let output = try await runTollgate(
            ["init", "--", "/bin/sh", "-c", #"env > "$0"; exec python3 "$1""#, seen, Repository.fixtureServer],
            environment: [Self.key: Self.value, "FIXTURE_QUIET": "1"])
        #expect(output.status == 0, "\(output.stderr)")
        let text = try String(contentsOfFile: seen, encoding: .utf8)
        #expect(!text.contains(Self.key) && !text.contains(Self.value), "the server init started got the key: \(text)")
        #expect(text.contains("FIXTURE_QUIET=1"))
    }

    @Test("a manifest that gives a server the key is refused (exit 2), naming the entry")
    func manifestCannotPassIt() async throws {
        let directory = try TemporaryDirectory("secret-env-manifest")
        let manifest = try writeFile("""
            {"version": 1, "servers": {"fixture": {"command": "python3", "args": ["\(try jsonEscaped(Repository.fixtureServer))"],
              "env": {"SIGNING": "$\(Self.key)"}}}}
            """, named: "manifest.json", in: directory)
        let output = try await runTollgate(["run", "--manifest", manifest], environment: [Self.key: Self.value])
        #expect(output.status == 2, "\(output.stderr)")
        #expect(output.stderr.contains("servers.fixture.env.SIGNING: \(Self.key) holds a secret of Tollgate's own"), "\(output.stderr)")
    }
}
