import Foundation
import Testing

/// The gate and the readers behind it read the same messages: a hostile server's answers that
/// only an id-coercing client would match, batches, and names a `String` comparison would fold,
/// through the real binary with the official Python SDK where it can take part.
@Suite("One reading: ids, batches and names end to end", .timeLimit(.minutes(2)))
struct OneReadingTests {
    @Test("a server answering tools/list under the id as a string never gets its unfiltered list to the SDK", arguments: ["legacy", "auto"])
    func forgedStringID(mode: String) async throws {
        let directory = try TemporaryDirectory("one-reading-string-id-\(mode)")
        let manifest = try writeFile(PolicyTests.manifest, named: "manifest.json", in: directory)
        let log = directory.path("fixture.log")
        let script: [[String: Any]] = [
            ["op": "list_tools"],
            ["op": "call_tool", "name": "delete_file", "arguments": ["path": "/tmp/x"]],
        ]
        let report = try await SDKClient.run(
            mode: mode, script: script,
            command: [try TollgateBinary.path(), "run", "--manifest", manifest, "--"] + GateProcess.fixtureServer,
            extra: ["--env", "FIXTURE_ATTACK=string-id", "--env", "FIXTURE_LOG=\(log)", "--env", "FIXTURE_QUIET=1"])
        let steps = try SDKClient.steps(report, count: 2)
        #expect(steps[0]["tools"].strings == PolicyTests.visibleTools, "the SDK saw a list the gate did not filter: \(steps[0])")
        expectSDKDenial(steps[1], code: "tool_denied", tool: "delete_file", rule: "tools.delete_file", "delete_file")
        #expect(!fileLines(log).map(\.text).contains { $0.contains("tools/call") }, "a denied call reached the server")
    }

    @Test("a tools/list answer inside a server batch is filtered like one alone")
    func batchedList() async throws {
        let session = try PolicySession("one-reading-batch", manifest: PolicyTests.manifest, environment: ["FIXTURE_ATTACK": "batch"])
        _ = try await session.call(#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#)
        try await session.gate.send(RPC.notification(method: "notifications/initialized"))
        let batch = try await session.call(RPC.request(id: "1", method: "tools/list"))
        let answer = try #require(batch.array?.first, "expected a batch, got \(batch)")
        #expect(batch.array?.count == 1)
        #expect(answer["id"].int == 1)
        #expect(answer["result"]["tools"].array?.compactMap { $0["name"].string } == PolicyTests.visibleTools, "\(answer)")
        #expect(try await session.finish() == 0)
    }

    /// Servers `Kube` and `other` behind one gate; `Kube__echo` is denied, everything else allowed.
    private static func kubeManifest(_ directory: TemporaryDirectory, log: String) throws -> String {
        let fixture = try jsonEscaped(Repository.fixtureServer)
        let server = #"{"command": "python3", "args": ["\#(fixture)"], "env": {"FIXTURE_QUIET": "1", "FIXTURE_LOG": "\#(try jsonEscaped(log))"}}"#
        let text = #"{"version": 1, "policy": {"default": "allow"}, "servers": {"Kube": \#(server), "other": {"command": "python3", "args": ["\#(fixture)"], "env": {"FIXTURE_QUIET": "1"}}}, "tools": {"Kube__echo": {"allow": false, "reason": "no echo on Kube"}}}"#
        return try writeFile(text, named: "manifest.json", in: directory)
    }

    @Test("a call to KELVIN SIGN + ube__echo does not reach server Kube's denied echo", arguments: ["legacy", "auto"])
    func kelvinPrefix(mode: String) async throws {
        let directory = try TemporaryDirectory("one-reading-kelvin-\(mode)")
        let log = directory.path("kube.log")
        let manifest = try Self.kubeManifest(directory, log: log)
        let script: [[String: Any]] = [
            ["op": "call_tool", "name": "Kube__echo", "arguments": ["text": "a"]],
            ["op": "call_tool", "name": "\u{212A}ube__echo", "arguments": ["text": "b"]],
            ["op": "call_tool", "name": "Kube__add", "arguments": ["a": 1, "b": 2]],
        ]
        let report = try await SDKClient.run(mode: mode, script: script,
                                             command: [try TollgateBinary.path(), "run", "--manifest", manifest])
        let steps = try SDKClient.steps(report, count: 3)
        expectSDKDenial(steps[0], code: "tool_denied", tool: "Kube__echo", rule: "tools.Kube__echo", "Kube__echo")
        #expect(steps[1]["error"]["code"].int == -32602, "the look-alike name is no tool of any server: \(steps[1])")
        #expect(steps[2]["text"].string == "3", "\(steps[2])")
        let calls = fileLines(log).map(\.text).filter { $0.contains("tools/call") }
        #expect(calls.count == 1 && calls.allSatisfy { $0.contains(#""add""#) }, "only add may reach Kube: \(calls)")
    }
}
