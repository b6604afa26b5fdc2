import Testing
@testable import TollgateKit

@Suite("Manifest servers: sandbox")
struct ManifestSandboxTests {
    private func sandbox(_ section: String, environment: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation) throws -> SandboxSpec {
        let loaded = try parseManifest(#"{"version": 1, "servers": {"s": {"command": "srv", "sandbox": \#(section)}}}"#, file: "/m/test.json",
                                       environment: environment).get()
        return try #require(loaded.servers.first?.sandbox, sourceLocation: sourceLocation)
    }

    @Test("a full section: preset, paths (variables expand, relative to the manifest's folder, trailing slashes dropped), network, required, landlockABI")
    func full() throws {
        let spec = try sandbox("""
            {"preset": "uv", "filesystem": {"read": ["${REPO}", "docs/"], "write": ["${TMP:-/tmp}"], "execute": ["/opt/tool/bin"]},
             "network": {"allowHosts": ["api.github.com:443", "*.corp.example:443", "127.0.0.1:${PORT}"]}, "required": false, "landlockABI": 6}
            """, environment: ["REPO": "/src/repo", "PORT": "8080"])
        #expect(spec.preset == .uv && spec.read == ["/src/repo", "/m/docs"] && spec.write == ["/tmp"] && spec.execute == ["/opt/tool/bin"])
        #expect(spec.network == .allowHosts(["api.github.com:443", "*.corp.example:443", "127.0.0.1:8080"].compactMap(HostPortPattern.init)))
        #expect(spec.required == false && spec.minimumABI == 6)
        let minimal = try sandbox(#"{"preset": "binary"}"#)
        #expect(minimal == SandboxSpec(preset: .binary) && minimal.network == .none && minimal.required)
        #expect(try sandbox(#"{"preset": "node", "network": "allow"}"#).network == .allow)
    }

    @Test("mistakes are reported with file:line:column and the key path, like the other sections")
    func mistakes() {
        let issues = manifestIssues("""
            {"version": 1, "servers": {"s": {"command": "srv", "sandbox": {
              "preset": "pyhton",
              "filesytem": {},
              "network": {"allowHosts": ["api.github.com", 443]},
              "landlockABI": 0}},
             "t": {"command": "srv", "sandbox": {"filesystem": {"read": "/x", "write": ["/a"], "execute": ["/a/bin"]}, "network": "some"}}}}
            """)
        let shown = issues.map(\.description)
        #expect(shown.contains { $0.hasPrefix("test.json:2:13: servers.s.sandbox.preset: expected \"python\" or ") && $0.contains("did you mean \"python\"") }, "\(shown)")
        #expect(shown.contains { $0.hasPrefix("test.json:3:3: servers.s.sandbox.filesytem: unknown key; did you mean \"filesystem\"?") }, "\(shown)")
        #expect(shown.contains { $0.hasPrefix("test.json:4:30: servers.s.sandbox.network.allowHosts[0]: \"api.github.com\" is not host:port") }, "\(shown)")
        #expect(shown.contains { $0.hasPrefix("test.json:4:48: servers.s.sandbox.network.allowHosts[1]: expected a string") }, "\(shown)")
        #expect(shown.contains { $0.hasPrefix("test.json:5:18: servers.s.sandbox.landlockABI: expected a whole number from 1 to 99") }, "\(shown)")
        #expect(shown.contains { $0.hasPrefix("test.json:6:37: servers.t.sandbox: missing key \"preset\"") }, "\(shown)")
        #expect(shown.contains { $0.contains("servers.t.sandbox.filesystem.read: expected an array of paths") }, "\(shown)")
        #expect(shown.contains { $0.contains("servers.t.sandbox.filesystem.write: the write path /a and the execute path /a/bin overlap") }, "\(shown)")
        #expect(shown.contains { $0.contains("servers.t.sandbox.network: expected \"none\" or \"allow\"") }, "\(shown)")
    }

    @Test("check warns about a sandbox path that does not exist; an unset variable in it is reported like any other")
    func preflight() throws {
        let manifest = try parseManifest(#"{"version": 1, "servers": {"s": {"command": "/bin/true", "sandbox": {"preset": "binary", "filesystem": {"read": ["/nonexistent-tollgate-path", "${NOPE}"]}}}}}"#,
                                         allowsUnsetVariables: true).get()
        let warnings = ManifestPreflight.warnings(for: manifest).map(\.description)
        #expect(warnings.contains { $0.contains("servers.s.sandbox.filesystem.read[0]: /nonexistent-tollgate-path does not exist") }, "\(warnings)")
        #expect(warnings.contains { $0.contains("servers.s.sandbox.filesystem.read[1]: ${NOPE} is not set") }, "\(warnings)")
        let beyond = SandboxKernel.landlockABI + 1
        let unprovidable = try parseManifest(#"{"version": 1, "servers": {"s": {"command": "/bin/true", "sandbox": {"preset": "binary", "landlockABI": \#(beyond)}}}}"#).get()
        let machine = ManifestPreflight.warnings(for: unprovidable).map(\.description)
        #expect(machine == ["test.json:1:69: servers.s.sandbox: this machine cannot provide the sandbox, so the server would not start: "
                            + "the sandbox asks for Landlock ABI \(beyond) (landlockABI), this kernel offers ABI \(beyond - 1)"], "\(machine)")
    }

    @Test("a reloaded manifest that changes a server's sandbox restarts that server")
    func reloadRestarts() throws {
        func server(_ sandbox: String) throws -> Manifest.Server {
            try #require(try parseManifest(#"{"version": 1, "servers": {"s": {"command": "srv"\#(sandbox)}}}"#).get().servers.first)
        }
        let none = try server("")
        let binary = try server(#", "sandbox": {"preset": "binary"}"#)
        let networked = try server(#", "sandbox": {"preset": "binary", "network": "allow"}"#)
        #expect(HostServers.needsRestart(from: none, to: binary) && HostServers.needsRestart(from: binary, to: networked))
        #expect(!HostServers.needsRestart(from: binary, to: try server(#", "sandbox": {"preset": "binary", "network": "none"}"#)))
    }

    @Test("init proposes a sandbox: the command's preset, its directory read-only, network only when the tools' words suggest it")
    func proposal() {
        let fetch: JSONObject = ["name": "fetch_page", "description": "Fetches a URL from the internet"]
        let during: JSONObject = ["name": "git_status", "description": "Shows the status during a merge",
                                  "inputSchema": ["type": "object", "properties": ["repo_path": ["type": "string"]]]]
        let byArgument: JSONObject = ["name": "get", "inputSchema": ["type": "object", "properties": ["url": ["type": "string"]]]]
        #expect(StarterManifest.networkTools([fetch, during, byArgument]) == ["fetch_page", "get"])
        #expect(StarterManifest.proposedSandbox(command: ["uvx", "mcp-server-git"], workingDirectory: "/src", tools: [during])
                == ["preset": "uv", "filesystem": ["read": ["/src"]], "network": "none"])
        #expect(StarterManifest.proposedSandbox(command: ["node", "server.js"], workingDirectory: "/src", tools: [fetch])["network"] == "allow")
    }
}
