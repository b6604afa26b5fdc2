import Foundation
import Testing

/// Three fixture servers behind one gate, each misbehaving in its own way: `crashy` crashes on
/// demand (and is restarted), `slow` takes its time (progress, cancellation, sampling), and
/// `changing` changes its tool list (which Tollgate re-lists, re-applies the policy to, and
/// announces). Raw lines for what an SDK hides (notifications, ids on the wire), the official
/// SDK in both modes for the rest.
@Suite("Three servers: crashing, slow, changing", .timeLimit(.minutes(2)))
struct ThreeServersTests {
    static func manifest(_ directory: TemporaryDirectory) throws -> String {
        let fixture = try jsonEscaped(Repository.fixtureServer)
        func server(_ name: String, _ env: String = "", _ settings: String = "") throws -> String {
            let log = try jsonEscaped(directory.path("\(name).log"))
            return #"{"command": "python3", "args": ["\#(fixture)"], "env": {"FIXTURE_NAME": "\#(name)", "FIXTURE_QUIET": "1", "FIXTURE_LOG": "\#(log)"\#(env)}\#(settings)}"#
        }
        let servers = [
            #""crashy": \#(try server("crashy", "", #", "restartBackoffSeconds": 0.2"#))"#,
            #""slow": \#(try server("slow"))"#,
            #""changing": \#(try server("changing", #", "FIXTURE_CHANGING": "1""#))"#,
        ]
        let tools = #"{"changing__forbidden_*": {"allow": false, "reason": "not reviewed yet"}, "*": {}}"#
        return try writeFile(#"{"version": 1, "servers": {\#(servers.joined(separator: ", "))}, "tools": \#(tools)}"#,
                             named: "manifest.json", in: directory)
    }

    func names(_ response: JSON) -> [String] {
        response["result"]["tools"].array?.compactMap { $0["name"].string } ?? []
    }

    @Test("raw lines: a client cancellation reaches the slow server under its own id; a list change is announced with the policy re-applied")
    func rawLines() async throws {
        let directory = try TemporaryDirectory("three-raw")
        let gate = try GateProcess(server: [], options: ["--manifest", try Self.manifest(directory)], in: directory)
        try await gate.send(#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#)
        _ = try await gate.readJSON()
        try await gate.send(RPC.notification(method: "notifications/initialized"))
        let before = names(try await gate.exchange(RPC.request(id: "1", method: "tools/list"), id: "1").response)
        #expect(before.contains("changing__change_tools") && !before.contains("changing__added_tool"), "\(before)")

        // Cancellation across: the slow call's cancellation reaches slow under the id slow saw.
        try await gate.send(RPC.toolCall(id: #""long""#, name: "slow__sleep", arguments: #"{"ms":10000}"#))
        var seenID: String?
        for _ in 0..<100 where seenID == nil {
            seenID = fileLines(directory.path("slow.log")).compactMap { line -> String? in
                guard line.text.contains("\"sleep\""), let json = try? JSON(parsing: line.text) else { return nil }
                return json["id"].string ?? json["id"].int.map(String.init)
            }.first
            if seenID == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        let serverID = try #require(seenID, "slow never got the call")
        #expect(serverID != "long", "slow sees an id Tollgate gave out")
        try await gate.send(RPC.notification(method: "notifications/cancelled", params: #"{"requestId":"long","reason":"user stop"}"#))
        var cancellation: JSON?
        for _ in 0..<100 where cancellation == nil {
            cancellation = fileLines(directory.path("slow.log")).compactMap { try? JSON(parsing: $0.text) }
                .first { $0["method"].string == "notifications/cancelled" }
            if cancellation == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        let cancelledID = cancellation?["params"]["requestId"]
        #expect((cancelledID?.string ?? cancelledID?.int.map(String.init)) == serverID, "slow's cancellation names its own id: \(String(describing: cancellation))")

        // The list changes: the client is told, the new listing is filtered by the policy.
        let changed = try await gate.exchange(RPC.toolCall(id: "2", name: "changing__change_tools"), id: "2")
        var told = changed.others.contains { $0["method"].string == "notifications/tools/list_changed" }
        if !told { told = try await gate.readJSON()["method"].string == "notifications/tools/list_changed" }
        #expect(told, "the client is told the list changed")
        let after = names(try await gate.exchange(RPC.request(id: "3", method: "tools/list"), id: "3").response)
        #expect(after.contains("changing__added_tool") && !after.contains("changing__forbidden_tool"), "policy re-applied: \(after)")
        let added = try await gate.exchange(RPC.toolCall(id: "4", name: "changing__added_tool"), id: "4").response
        #expect(resultText(added) == "added", "\(added)")
        let forbidden = try await gate.exchange(RPC.toolCall(id: "5", name: "changing__forbidden_tool"), id: "5").response
        #expect(forbidden["result"]["_meta"]["dev.tollgate/denial"]["code"].string == "tool_denied", "\(forbidden)")
        #expect(!fileLines(directory.path("changing.log")).contains { $0.text.contains("forbidden_tool\"") && $0.text.contains("tools/call") },
                "the denied call never reached the server")
        gate.closeInput()
        #expect(try await gate.waitForExit() == 0, "\(gate.stderrTail)")
    }

    @Test("the official SDK: routing, concurrency, progress, sampling, restart after a crash, a changed list with policy re-applied", arguments: ["legacy", "auto"])
    func sdk(mode: String) async throws {
        let directory = try TemporaryDirectory("three-sdk")
        let script: [[String: Any]] = [
            ["op": "list_tools"],
            ["op": "parallel", "steps": [
                ["op": "call_tool", "name": "slow__sleep", "arguments": ["ms": 400]],
                ["op": "call_tool", "name": "crashy__echo", "arguments": ["text": "c1"]],
                ["op": "call_tool", "name": "changing__echo", "arguments": ["text": "h1"]],
                ["op": "call_tool", "name": "slow__sleep", "arguments": ["ms": 50]],
            ]],
            ["op": "call_tool", "name": "slow__notify_progress", "arguments": ["steps": 3], "progress": true],
            ["op": "call_tool", "name": "slow__ask_sampling", "arguments": ["prompt": "Say hi."]],
            ["op": "call_tool", "name": "crashy__crash", "arguments": [:]],
            ["op": "call_tool", "name": "changing__change_tools", "arguments": [:]],
            ["op": "wait", "ms": 1500],
            ["op": "call_tool", "name": "crashy__echo", "arguments": ["text": "back"]],
            ["op": "list_tools"],
            ["op": "call_tool", "name": "changing__added_tool", "arguments": [:]],
            ["op": "call_tool", "name": "changing__forbidden_tool", "arguments": [:]],
        ]
        let report = try await SDKClient.run(mode: mode, script: script, command: [try TollgateBinary.path(), "run", "--manifest", try Self.manifest(directory)],
                                             extra: ["--sampling-reply", "hi from the client"])
        let steps = try SDKClient.steps(report, count: 11)
        let first = steps[0]["tools"].strings ?? []
        #expect(first.contains("slow__sleep") && first.contains("crashy__crash") && first.contains("changing__change_tools"), "\(first)")
        #expect((steps[1]["results"].array ?? []).map { $0["text"].string ?? "?" } == ["slept 400 ms", "c1", "h1", "slept 50 ms"], "\(steps[1])")
        #expect(steps[2]["progress"].array?.count == 3, "progress through Tollgate's tokens: \(steps[2])")
        #expect(steps[3]["text"].string == "hi from the client", "sampling answered by the client: \(steps[3])")
        #expect(steps[4]["meta"]["dev.tollgate/denial"]["code"].string == "server_unavailable", "\(steps[4])")
        #expect(steps[7]["text"].string == "back", "crashy was restarted: \(steps[7])")
        let last = steps[8]["tools"].strings ?? []
        #expect(last.contains("changing__added_tool") && !last.contains("changing__forbidden_tool") && last.contains("crashy__echo"), "\(last)")
        #expect(steps[9]["text"].string == "added", "\(steps[9])")
        expectSDKDenial(steps[10], code: "tool_denied", tool: "changing__forbidden_tool", rule: "tools.changing__forbidden_*", "policy on a tool that appeared later")
    }
}
