import Testing
@testable import TollgateKit

@Suite("Starter manifest (tollgate init)")
struct StarterManifestTests {
    @Test("decisions come from annotations")
    func decisionsFromAnnotations() throws {
        let tools: [JSONObject] = [
            ["name": "read", "annotations": ["readOnlyHint": true]],
            ["name": "wipe", "annotations": ["destructiveHint": true, "readOnlyHint": false]],
            ["name": "other"],
        ]
        let manifest = StarterManifest(serverName: "s", command: ["srv", "--x"], tools: tools).json
        #expect(manifest["tools"]?["read"]?["allow"] == .bool(true))
        #expect(manifest["tools"]?["wipe"]?["allow"] == .bool(false))
        #expect(manifest["tools"]?["other"]?["allow"] == .bool(false))
        #expect(manifest["tools"]?["other"]?["reason"]?.stringValue?.contains("review") == true)
        #expect(manifest["policy"]?["default"] == "deny")
        #expect(manifest["servers"]?["s"]?["args"] == ["--x"])
    }

    @Test("the printed manifest is strict JSON that loads")
    func printedManifestLoads() throws {
        let starter = StarterManifest(serverName: "time", command: ["uvx", "mcp-server-time"],
                                      tools: [["name": "get_current_time", "annotations": ["readOnlyHint": true]]])
        let text = starter.json.prettyText
        #expect(try JSONValue.parse(text) == starter.json)
        let manifest = try parseManifest(text).get()
        #expect(manifest.tools.map(\.pattern) == ["get_current_time"])
    }

    @Test("server names are read from commands", arguments: [
        (["uvx", "mcp-server-git", "--repository", "."], "git"),
        (["python", "-m", "mcp_server_time"], "time"),
        (["npx", "-y", "@modelcontextprotocol/server-filesystem", "/srv"], "filesystem"),
        (["/usr/bin/python3", "Tests/Fixtures/fixture_server.py"], "fixture_server"),
    ])
    func serverNames(command: [String], expected: String) {
        #expect(StarterManifest.serverName(for: command) == expected)
    }
}
