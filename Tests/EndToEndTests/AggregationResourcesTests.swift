import Foundation
import Testing

/// Resources, resource templates, prompts and completions of several servers behind one gate:
/// listed as one (prompts namespaced, URIs as they are), each request routed to the server that
/// owns the URI or the prompt; a URI scheme two servers serve stops Tollgate at start-up.
@Suite("Aggregation: resources, prompts, completions", .timeLimit(.minutes(2)))
struct AggregationResourcesTests {
    /// Fixtures `a` and `b` serving resources under `schemes`.
    static func manifest(_ directory: TemporaryDirectory, schemes: (String, String)) throws -> String {
        let fixture = try jsonEscaped(Repository.fixtureServer)
        func server(_ name: String, _ scheme: String) -> String {
            #"{"command": "python3", "args": ["\#(fixture)"], "env": {"FIXTURE_NAME": "\#(name)", "FIXTURE_QUIET": "1", "FIXTURE_RESOURCES": "\#(scheme)"}}"#
        }
        let text = #"{"version": 1, "policy": {"default": "allow"}, "servers": {"a": \#(server("A", schemes.0)), "b": \#(server("B", schemes.1))}}"#
        return try writeFile(text, named: "manifest.json", in: directory)
    }

    @Test("raw lines: union of lists, routing by URI, prompt and completion reference, subscriptions, unknown URIs")
    func rawLines() async throws {
        let directory = try TemporaryDirectory("aggregate-resources")
        let gate = try GateProcess(server: [], options: ["--manifest", try Self.manifest(directory, schemes: ("alpha", "beta"))], in: directory)
        let initialized = try await gate.exchange(#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#, id: "0").response
        let capabilities = initialized["result"]["capabilities"]
        #expect(capabilities["resources"]["subscribe"].bool == true && capabilities["prompts"].exists && capabilities["completions"].exists, "\(initialized)")
        try await gate.send(RPC.notification(method: "notifications/initialized"))

        let resources = try await gate.exchange(RPC.request(id: "1", method: "resources/list"), id: "1").response
        #expect(resources["result"]["resources"].array?.compactMap { $0["uri"].string } == ["alpha://readme", "beta://readme"], "\(resources)")
        let templates = try await gate.exchange(RPC.request(id: "2", method: "resources/templates/list"), id: "2").response
        #expect(templates["result"]["resourceTemplates"].array?.compactMap { $0["uriTemplate"].string } == ["alpha://notes/{id}", "beta://notes/{id}"])
        let prompts = try await gate.exchange(RPC.request(id: "3", method: "prompts/list"), id: "3").response
        #expect(prompts["result"]["prompts"].array?.compactMap { $0["name"].string } == ["a__greet", "b__greet"], "\(prompts)")

        let read = try await gate.exchange(RPC.request(id: "4", method: "resources/read", params: #"{"uri":"beta://notes/7"}"#), id: "4").response
        #expect(read["result"]["contents"][0]["text"].string == "B read beta://notes/7", "\(read)")
        let greeted = try await gate.exchange(RPC.request(id: "5", method: "prompts/get", params: #"{"name":"a__greet","arguments":{"who":"Ada"}}"#), id: "5").response
        #expect(greeted["result"]["messages"][0]["content"]["text"].string == "A greets Ada", "\(greeted)")
        let completedPrompt = try await gate.exchange(RPC.request(id: "6", method: "completion/complete",
            params: #"{"ref":{"type":"ref/prompt","name":"b__greet"},"argument":{"name":"who","value":"Al"}}"#), id: "6").response
        #expect(completedPrompt["result"]["completion"]["values"][0].string == "B:greet:Al", "the server sees its own prompt name: \(completedPrompt)")
        let completedResource = try await gate.exchange(RPC.request(id: "7", method: "completion/complete",
            params: #"{"ref":{"type":"ref/resource","uri":"alpha://notes/{id}"},"argument":{"name":"id","value":"4"}}"#), id: "7").response
        #expect(completedResource["result"]["completion"]["values"][0].string == "A:alpha://notes/{id}:4", "\(completedResource)")

        let (subscribed, notes) = try await gate.exchange(RPC.request(id: "8", method: "resources/subscribe", params: #"{"uri":"alpha://readme"}"#), id: "8")
        #expect(subscribed["result"].exists, "\(subscribed)")
        var updated = notes.first { $0["method"].string == "notifications/resources/updated" }
        if updated == nil { updated = try await gate.readJSON() }
        #expect(updated?["params"]["uri"].string == "alpha://readme", "\(String(describing: updated))")

        let unknown = try await gate.exchange(RPC.request(id: "9", method: "resources/read", params: #"{"uri":"gamma://x"}"#), id: "9").response
        #expect(unknown["error"]["code"].int == -32002, "\(unknown)")
        let unknownPrompt = try await gate.exchange(RPC.request(id: "10", method: "prompts/get", params: #"{"name":"greet"}"#), id: "10").response
        #expect(unknownPrompt["error"]["code"].int == -32602, "\(unknownPrompt)")
        gate.closeInput()
        #expect(try await gate.waitForExit() == 0)
    }

    @Test("a URI scheme two servers serve is a start-up error: the client's initialize is refused and Tollgate exits 1")
    func schemeCollision() async throws {
        let directory = try TemporaryDirectory("aggregate-resources-clash")
        let gate = try GateProcess(server: [], options: ["--manifest", try Self.manifest(directory, schemes: ("notes", "notes"))], in: directory)
        try await gate.send(#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#)
        let refused = try await gate.readJSON()
        #expect(refused["error"]["message"].string?.contains("notes (a, b)") == true, "\(refused)")
        #expect(try await gate.waitForExit() == 1, "\(gate.stderrTail)")
        #expect(gate.stderrText.contains("URI schemes served by more than one server"), "\(gate.stderrTail)")
    }

    @Test("the official SDK: resources and prompts of two servers", arguments: ["legacy", "auto"])
    func sdk(mode: String) async throws {
        let directory = try TemporaryDirectory("aggregate-resources-sdk")
        let script: [[String: Any]] = [
            ["op": "list_resources"],
            ["op": "list_resource_templates"],
            ["op": "read_resource", "uri": "alpha://readme"],
            ["op": "list_prompts"],
            ["op": "get_prompt", "name": "b__greet", "arguments": ["who": "Grace"]],
            ["op": "call_tool", "name": "a__echo", "arguments": ["text": "tools too"]],
        ]
        let report = try await SDKClient.run(mode: mode, script: script,
                                             command: [try TollgateBinary.path(), "run", "--manifest", try Self.manifest(directory, schemes: ("alpha", "beta"))])
        let steps = try SDKClient.steps(report, count: 6)
        #expect(steps[0]["uris"].strings == ["alpha://readme", "beta://readme"], "\(steps[0])")
        #expect(steps[1]["templates"].strings == ["alpha://notes/{id}", "beta://notes/{id}"], "\(steps[1])")
        #expect(steps[2]["text"].string == "A read alpha://readme", "\(steps[2])")
        #expect(steps[3]["prompts"].strings == ["a__greet", "b__greet"], "\(steps[3])")
        #expect(steps[4]["text"].string == "B greets Grace", "\(steps[4])")
        #expect(steps[5]["text"].string == "tools too", "\(steps[5])")
    }
}
