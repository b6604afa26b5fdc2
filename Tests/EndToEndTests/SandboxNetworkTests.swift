import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `allowHosts`: a sandboxed server reaches the network only through Tollgate's proxy, which
/// connects to listed `host:port`s only and records every connection in the audit trail.
@Suite("Sandbox: allowHosts through Tollgate's proxy", .timeLimit(.minutes(2)))
struct SandboxNetworkTests {
    /// The `network` records of an audit log, as (decision, target, reason).
    private func networkRecords(_ path: String) throws -> [JSON] {
        try fileLines(path).map { try JSON(parsing: $0) }.filter { $0["event"].string == "network" }
    }

    @Test("mcp-server-fetch (httpx) driven by the official SDK: the listed port is fetched, the other refused; both audited, the log verifies")
    func fetchThroughProxy() async throws {
        let python = try await PythonEnvironment.python()
        let directory = try TemporaryDirectory("sandbox-fetch")
        _ = try writeFile("the listed server's page\n", named: "listed.txt", in: directory)
        let listed = try await LocalHTTPServer(python: python, directory: directory.path, in: directory)
        let unlisted = try await LocalHTTPServer(python: python, directory: directory.path, in: directory)
        let auditPath = directory.path("audit.log")
        // --allow-private-ips: the server's own check would refuse 127.0.0.1 before asking the proxy;
        // --ignore-robots-txt: the refusal below is the proxy's, not a robots.txt one.
        let manifest = try writeFile("""
            {
              "version": 1,
              "policy": {"default": "allow"},
              "servers": {
                "fetch": {
                  "command": "\(python)", "args": ["-m", "mcp_server_fetch", "--allow-private-ips", "--ignore-robots-txt"],
                  "sandbox": {"preset": "python", "network": {"allowHosts": ["127.0.0.1:\(listed.port)"]}}
                }
              },
              "audit": {"path": "audit.log"}
            }
            """, named: "fetch.json", in: directory)
        let script: [[String: Any]] = [
            ["op": "call_tool", "name": "fetch", "arguments": ["url": "http://127.0.0.1:\(listed.port)/listed.txt", "raw": true]],
            ["op": "call_tool", "name": "fetch", "arguments": ["url": "http://127.0.0.1:\(unlisted.port)/listed.txt", "raw": true]],
        ]
        let report = try await SDKClient.run(mode: "legacy", script: script, command: [try TollgateBinary.path(), "run", "--manifest", manifest])
        let steps = try SDKClient.steps(report, count: 2)
        expectSDKSuccess(steps[0], tool: "fetch", "the listed port")
        #expect(steps[0]["text"].string?.contains("the listed server's page") == true, "the listed page: \(steps[0])")
        #expect(steps[1]["isError"].bool == true && steps[1]["text"].string?.contains("403") == true,
                "the unlisted port is refused by the proxy (403): \(steps[1])")
        #expect(steps[1]["text"].string?.contains("the listed server's page") == false)

        let records = try networkRecords(auditPath)
        #expect(records.count == 2, "one record per connection: \(records)")
        let allowed = records.first { $0["decision"].string == "allowed" }
        #expect(allowed?["target"].string == "127.0.0.1:\(listed.port)" && allowed?["address"].string == "127.0.0.1:\(listed.port)"
                && allowed?["entry"].string == "127.0.0.1:\(listed.port)" && allowed?["server"].string == "fetch" && allowed?["method"].string == "GET",
                "the allowed connection: \(records)")
        let denied = records.first { $0["decision"].string == "denied" }
        #expect(denied?["target"].string == "127.0.0.1:\(unlisted.port)" && denied?["reason"].string?.contains("not in allowHosts") == true,
                "the refused connection: \(records)")
        let verified = try await runTollgate(["audit", "verify", auditPath])
        #expect(verified.status == 0, "audit verify: \(verified.stdoutText) \(verified.stderr)")
    }

    @Test("the probe server with allowHosts: through the proxy the listed port answers, others get 403 (CONNECT too); direct connections find no route")
    func probesThroughProxy() async throws {
        let python = try await probePython()
        let directory = try TemporaryDirectory("sandbox-proxy-probe")
        _ = try writeFile("page\n", named: "page.txt", in: directory)
        let listed = try await LocalHTTPServer(python: python, directory: directory.path, in: directory)
        let unlisted = try await LocalHTTPServer(python: python, directory: directory.path, in: directory)
        let ownAddress = try TestListeners.ownAddress()
        let listeners = try TestListeners(unixPath: directory.path("unused.sock"))

        let open = try await ProbeSession(python: python, options: [], in: directory)
        expectAllowed(try await open.probe("connect", "127.0.0.1", port: unlisted.port), "without a sandbox: connect to the unlisted server")
        expectAllowed(try await open.probe("connect", ownAddress, port: listeners.tcpPort), "without a sandbox: connect directly")
        #expect(try await open.finish() == 0)

        let session = try await ProbeSession(python: python, options: ["--sandbox", "python", "--read", Repository.fixtures,
                                                                       "--allow-host", "127.0.0.1:\(listed.port)"], in: directory)
        let page = try await session.probe("proxy", "http://127.0.0.1:\(listed.port)/page.txt")
        #expect(page["ok"].bool == true && page["detail"].int == 200, "the listed port through the proxy: \(page)")
        let refused = try await session.probe("proxy", "http://127.0.0.1:\(unlisted.port)/page.txt")
        #expect(refused["status"].int == 403 && refused["error"].string?.contains("not in allowHosts") == true, "the unlisted port: \(refused)")
        // HTTPS goes through CONNECT: refused the same way, before any byte reaches the host.
        let tunnel = try await session.probe("proxy", "https://127.0.0.1:\(unlisted.port)/page.txt")
        #expect(tunnel["ok"].bool == false && tunnel["error"].string?.contains("403") == true, "CONNECT to the unlisted port: \(tunnel)")
        // Without the proxy variables (a raw socket ignores them) nothing leaves the namespace.
        expectRefused(try await session.probe("connect", "127.0.0.1", port: listed.port), "ECONNREFUSED", "a direct connection to the listed port")
        expectRefused(try await session.probe("connect", ownAddress, port: listeners.tcpPort), "ENETUNREACH", "a direct connection out")
        expectRefused(try await session.probe("connect", ownAddress, port: listeners.tcpPort, child: true), "ENETUNREACH", "a child's direct connection")
        #expect(try await session.finish() == 0)
        #expect(session.gate.stderrText.contains("refused GET 127.0.0.1:\(unlisted.port)"), "stderr names the refusal: \(session.gate.stderrText)")
    }
}
