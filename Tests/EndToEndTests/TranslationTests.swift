import Foundation
import Testing

/// Protocol translation in the aggregating gate: a 2026-07-28 (stateless) client in front of
/// 2025-era servers, and a 2025-era client in front of a 2026-07-28-only server (the fixture's
/// `FIXTURE_ERA`), with raw lines and with the official Python SDK in both of its modes.
@Suite("Translation: clients and servers of different MCP eras behind one gate", .timeLimit(.minutes(2)))
struct TranslationTests {
    static let versionKey = "io.modelcontextprotocol/protocolVersion"

    /// A manifest of fixture servers by name, each with its `FIXTURE_ERA` and a log of what it received.
    static func manifest(_ directory: TemporaryDirectory, servers: [(name: String, era: String)], tools: String = "{}") throws -> String {
        let fixture = try jsonEscaped(Repository.fixtureServer)
        let entries = try servers.map { server in
            let log = try jsonEscaped(directory.path("\(server.name).log"))
            return #""\#(server.name)": {"command": "python3", "args": ["\#(fixture)"], "env": {"FIXTURE_ERA": "\#(server.era)", "FIXTURE_NAME": "\#(server.name)", "FIXTURE_QUIET": "1", "FIXTURE_LOG": "\#(log)"}}"#
        }
        let manifest = #"{"version": 1, "policy": {"default": "allow"}, "servers": {\#(entries.joined(separator: ", "))}, "tools": \#(tools)}"#
        return try writeFile(manifest, named: "manifest.json", in: directory)
    }

    /// A stateless request line (the 2026-07-28 envelope in `params._meta`, after `meta`).
    static func stateless(id: String, method: String, params: String = "", meta: String = "") -> String {
        let envelope = #""_meta":{\#(meta)"\#(versionKey)":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":{"name":"raw","version":"1"}}"#
        return RPC.request(id: id, method: method, params: "{" + (params.isEmpty ? "" : params + ",") + envelope + "}")
    }

    /// The lines a fixture server received, parsed.
    static func received(_ directory: TemporaryDirectory, _ server: String) throws -> [JSON] {
        try fileLines(directory.path("\(server).log")).map { try JSON(parsing: $0) }
    }

    @Test("raw lines: a 2026-07-28 client in front of 2025-era servers gets server/discover, resultType and caching hints; the servers never see the envelope")
    func statelessClient() async throws {
        let directory = try TemporaryDirectory("translate-stateless")
        let manifest = try Self.manifest(directory, servers: [("a", "2025"), ("b", "2025")], tools: #"{"b__delete_file": {"allow": false}}"#)
        let gate = try GateProcess(server: [], options: ["--manifest", manifest], in: directory)

        try await gate.send(Self.stateless(id: #""d""#, method: "server/discover"))
        let discovered = try await gate.readJSON(timeout: .seconds(30))
        let result = discovered["result"]
        #expect(discovered["id"].string == "d" && result["resultType"].string == "complete", "\(discovered)\(gate.stderrTail)")
        #expect(result["supportedVersions"].strings?.contains("2026-07-28") == true && result["supportedVersions"].strings?.contains("2025-11-25") == true, "\(result)")
        #expect(result["capabilities"]["tools"].exists, "\(result)")
        #expect(result["_meta"]["io.modelcontextprotocol/serverInfo"]["name"].string == "tollgate", "\(result)")
        #expect(result["ttlMs"].int == 0 && result["cacheScope"].string == "private", "\(result)")
        #expect(result["instructions"].string?.contains("## a\n") == true, "\(result)")

        try await gate.send(Self.stateless(id: "1", method: "tools/list"))
        let list = try await gate.readJSON()
        let names = list["result"]["tools"].array?.compactMap { $0["name"].string } ?? []
        #expect(names.contains("a__echo") && names.contains("b__echo") && !names.contains("b__delete_file"), "\(names)")
        #expect(list["result"]["resultType"].string == "complete" && list["result"]["ttlMs"].int == 0 && list["result"]["cacheScope"].string == "private", "\(list)")

        // The server's own result bytes come through, resultType added in front.
        try await gate.send(Self.stateless(id: "2", method: "tools/call", params: #""name":"a__echo","arguments":{"text":"hi"}"#))
        #expect(try await gate.readLine().text == #"{"jsonrpc":"2.0","id":2,"result":{"resultType":"complete","content":[{"type":"text","text":"hi"}]}}"#)
        try await gate.send(Self.stateless(id: "3", method: "tools/call", params: #""name":"b__notify_progress","arguments":{"steps":1}"#, meta: #""progressToken":"p-1","#))
        let progress = try await gate.readJSON()
        #expect(progress["method"].string == "notifications/progress" && progress["params"]["progressToken"].string == "p-1", "\(progress)")
        let progressed = try await gate.readJSON()
        #expect(progressed["id"].int == 3 && progressed["result"]["resultType"].string == "complete", "\(progressed)")
        try await gate.send(Self.stateless(id: "4", method: "tools/call", params: #""name":"b__delete_file","arguments":{"path":"/x"}"#))
        let denied = try await gate.readJSON()
        #expect(denied["result"]["_meta"]["dev.tollgate/denial"]["code"].string == "tool_denied" && denied["result"]["resultType"].string == "complete", "\(denied)")

        // The client's era holds.
        try await gate.send(RPC.request(id: "5", method: "tools/list"))
        expectError(try await gate.readJSON(), id: 5, codes: [-32602], "a request without the envelope")
        try await gate.send(#"{"jsonrpc":"2.0","id":6,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{}}}"#)
        let initialize = try await gate.readJSON()
        expectError(initialize, id: 6, codes: [-32022], "initialize after stateless requests")
        #expect(initialize["error"]["data"]["supported"].strings == ["2026-07-28"], "\(initialize)")

        // Each server was initialized by Tollgate (with the capabilities of the client's first
        // request, none here) and never saw the envelope.
        for server in ["a", "b"] {
            let lines = try Self.received(directory, server)
            #expect(lines.first?["method"].string == "initialize" && lines.first?["params"]["protocolVersion"].string == "2025-11-25", "\(server): \(lines)")
            #expect(lines.first?["params"]["capabilities"].object?.isEmpty == true, "\(server): the client's (empty) capabilities: \(lines.first.map(String.init(describing:)) ?? "")")
            #expect(lines.first?["params"]["clientInfo"]["name"].string == "raw", "\(server): the client's identity is passed on")
            let raw = fileLines(directory.path("\(server).log")).map(\.text)
            #expect(!raw.contains { $0.contains(Self.versionKey) }, "\(server) saw the 2026-07-28 envelope: \(raw)")
        }
        let calls = try Self.received(directory, "b").filter { $0["method"].string == "tools/call" }
        #expect(calls.count == 1 && calls[0]["params"]["_meta"]["progressToken"].exists, "b's call keeps a progress token: \(calls)")
        gate.closeInput()
        #expect(try await gate.waitForExit() == 0, "\(gate.stderrTail)")
    }

    @Test("raw lines: a 2025-era client in front of a 2026-07-28-only server, discovered after it refused initialize; results lose resultType")
    func sessionClient() async throws {
        let directory = try TemporaryDirectory("translate-session")
        let gate = try GateProcess(server: [], options: ["--manifest", try Self.manifest(directory, servers: [("old", "2025"), ("new", "2026")])], in: directory)
        try await gate.send(#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"legacy","version":"1"}}}"#)
        let initialized = try await gate.readJSON(timeout: .seconds(30))
        #expect(initialized["result"]["protocolVersion"].string == "2025-11-25" && initialized["result"]["serverInfo"]["name"].string == "tollgate", "\(initialized)\(gate.stderrTail)")
        #expect(!gate.stderrText.contains("failed to initialize"), "\(gate.stderrTail)")
        try await gate.send(RPC.notification(method: "notifications/initialized"))

        try await gate.send(RPC.request(id: "1", method: "tools/list"))
        let list = try await gate.readJSON()
        let names = list["result"]["tools"].array?.compactMap { $0["name"].string } ?? []
        #expect(names.contains("new__echo") && names.contains("old__echo"), "\(names)")
        #expect(!list["result"]["resultType"].exists && !list["result"]["ttlMs"].exists && !list["result"]["cacheScope"].exists, "\(list)")

        // The stateless server answers {"content":[…],"resultType":"complete"}: the client gets it without resultType.
        try await gate.send(RPC.toolCall(id: "2", name: "new__echo", arguments: #"{"text":"hi"}"#))
        #expect(try await gate.readLine().text == #"{"jsonrpc":"2.0","id":2,"result":{"content":[{"type":"text","text":"hi"}]}}"#)
        try await gate.send(RPC.toolCall(id: "3", name: "old__echo", arguments: #"{"text":"hi"}"#))
        #expect(try await gate.readLine().text == #"{"jsonrpc":"2.0","id":3,"result":{"content":[{"type":"text","text":"hi"}]}}"#)
        try await gate.send(RPC.request(id: "4", method: "tools/call", params: #"{"name":"new__notify_progress","arguments":{"steps":2},"_meta":{"progressToken":7}}"#))
        let lines = try await gate.readLines { (try? JSON(parsing: $0))?["id"].int == 4 }
        let progress = try lines.dropLast().map { try JSON(parsing: $0) }
        #expect(progress.count == 2 && progress.allSatisfy { $0["params"]["progressToken"].int == 7 }, "\(lines.map(\.text))")
        #expect(!(try JSON(parsing: lines.last ?? []))["result"]["resultType"].exists, "\(lines.last?.text ?? "")")

        // What the stateless server received: initialize (refused), server/discover, then every
        // request with the version in _meta, and no notifications/initialized.
        let received = try Self.received(directory, "new")
        #expect(received.prefix(2).map { $0["method"].string ?? "?" } == ["initialize", "server/discover"], "\(received)")
        #expect(!received.contains { $0["method"].string == "notifications/initialized" }, "\(received)")
        let requests = received.dropFirst(2).filter { $0["id"].exists }
        #expect(requests.count >= 3 && requests.allSatisfy { $0["params"]["_meta"][Self.versionKey].string == "2026-07-28" }, "\(requests)")
        #expect(requests.contains { $0["params"]["_meta"]["io.modelcontextprotocol/clientInfo"]["name"].string == "legacy" }, "the client's identity is passed on: \(requests)")
        gate.closeInput()
        #expect(try await gate.waitForExit() == 0, "\(gate.stderrTail)")
    }

    @Test("the official SDK in front of a 2025-era and a 2026-07-28-only server: legacy mode initializes, auto mode speaks 2026-07-28 via server/discover",
          arguments: ["legacy", "auto"])
    func sdk(mode: String) async throws {
        let directory = try TemporaryDirectory("translate-sdk")
        let manifest = try Self.manifest(directory, servers: [("old", "2025"), ("new", "2026")], tools: #"{"new__delete_file": {"allow": false, "reason": "no"}}"#)
        let script: [[String: Any]] = [
            ["op": "list_tools"],
            ["op": "call_tool", "name": "old__echo", "arguments": ["text": "to-old"]],
            ["op": "call_tool", "name": "new__echo", "arguments": ["text": "to-new"]],
            ["op": "parallel", "steps": [
                ["op": "call_tool", "name": "old__sleep", "arguments": ["ms": 200]],
                ["op": "call_tool", "name": "new__sleep", "arguments": ["ms": 20]],
            ]],
            ["op": "call_tool", "name": "new__notify_progress", "arguments": ["steps": 2], "progress": true],
            ["op": "call_tool", "name": "new__delete_file", "arguments": ["path": "/x"]],
            ["op": "call_tool", "name": "old__ask_sampling", "arguments": ["prompt": "Say hi."]],
            ["op": "call_tool", "name": "new__ask_sampling", "arguments": ["prompt": "Say more."]],
            ["op": "call_tool", "name": "new__ask_elicitation", "arguments": ["message": "Your name?"]],
        ]
        let report = try await SDKClient.run(mode: mode, script: script, command: [try TollgateBinary.path(), "run", "--manifest", manifest],
                                             extra: ["--sampling-reply", "sampled", "--elicitation", "accept", "--elicitation-content", #"{"name":"Ada"}"#])
        let steps = try SDKClient.steps(report, count: 9)
        #expect(report["protocolVersion"].string == (mode == "auto" ? "2026-07-28" : "2025-11-25"), "\(report)")
        #expect(report["serverInfo"]["name"].string == "tollgate", "\(report)")
        let tools = steps[0]["tools"].strings ?? []
        #expect(tools.contains("old__echo") && tools.contains("new__echo") && !tools.contains("new__delete_file"), "\(tools)")
        expectSDKSuccess(steps[1], tool: "old__echo", "the 2025-era server")
        #expect(steps[1]["text"].string == "to-old" && steps[2]["text"].string == "to-new", "\(steps[1]) \(steps[2])")
        expectSDKSuccess(steps[2], tool: "new__echo", "the 2026-07-28 server")
        #expect(steps[3]["results"].array?.map { $0["text"].string ?? "?" } == ["slept 200 ms", "slept 20 ms"], "\(steps[3])")
        #expect(steps[4]["progress"].array?.count == 2, "\(steps[4])")
        expectSDKDenial(steps[5], code: "tool_denied", tool: "new__delete_file", rule: "tools.new__delete_file", "policy on the stateless server's tool")
        // Sampling asked by a 2025-era server (a request) and by a 2026-07-28 one (input_required)
        // reaches the client of either era: in auto mode the request rides on the call as
        // input_required, in legacy mode input_required becomes requests and the call is retried.
        #expect(steps[6]["text"].string == "sampled" && steps[7]["text"].string == "sampled", "\(steps[6]) \(steps[7])")
        #expect(report["samplings"].array?.count == 2, "\(report["samplings"])")
        #expect(steps[8]["text"].string?.contains("Ada") == true && report["elicitations"].array?.count == 1, "\(steps[8])")
        let oldInitialize = try Self.received(directory, "old").first
        #expect(oldInitialize?["method"].string == "initialize" && oldInitialize?["params"]["capabilities"]["sampling"].exists == true,
                "the client's sampling capability reaches the 2025-era server: \(String(describing: oldInitialize))")
        let old = fileLines(directory.path("old.log")).map(\.text)
        #expect(!old.contains { $0.contains(Self.versionKey) }, "the 2025-era server never sees the envelope: \(old)")
        let newCalls = try Self.received(directory, "new").filter { $0["method"].string == "tools/call" }
        #expect(newCalls.count == 7 && newCalls.allSatisfy { $0["params"]["_meta"][Self.versionKey].string == "2026-07-28" }, "\(newCalls)")
    }
}
