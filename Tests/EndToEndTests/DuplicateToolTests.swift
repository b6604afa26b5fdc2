import Foundation
import Testing

/// A server that lists a tool twice (the fixture's `FIXTURE_DUPLICATE`: the tool where it stands
/// and a copy with another description after the last tool, so on another page when the list is
/// paged): the name is withheld from the client, every copy, and calls to it are refused with
/// `tool_ambiguous` before they reach the server.
@Suite("Tools listed twice", .timeLimit(.minutes(2)))
struct DuplicateToolTests {
    /// Lists every page; returns the names listed, in order.
    private func listAll(_ session: PolicySession, firstID: Int) async throws -> [String] {
        var names: [String] = []
        var cursor: String?
        var id = firstID
        repeat {
            let params = try cursor.map { #"{"cursor":"\#(try jsonEscaped($0))"}"# }
            let response = try await session.call(RPC.request(id: "\(id)", method: "tools/list", params: params))
            #expect(response["id"].int == id, "\(response)")
            names += try #require(response["result"]["tools"].array, "\(response)").compactMap { $0["name"].string }
            cursor = response["result"]["nextCursor"].string
            id += 1
        } while cursor != nil
        return names
    }

    @Test("one server: the tool is not listed, the client is told to list again when a page had it, calls never reach the server",
          arguments: [nil, 4] as [Int?])
    func oneServer(pageSize: Int?) async throws {
        let session = try PolicySession("duplicate-one", manifest: #"{"version": 1, "policy": {"default": "allow"}}"#,
                                        environment: ["FIXTURE_DUPLICATE": "echo", "FIXTURE_PAGE_SIZE": pageSize.map(String.init)])
        let first = try await listAll(session, firstID: 100)
        let between = try await session.sync(id: 9001).map { try JSON(parsing: $0.text) }
        let notified = between.contains { $0["method"].string == "notifications/tools/list_changed" }
        if pageSize == nil {
            #expect(!first.contains("echo") && first.contains("add"), "one page: neither copy is listed: \(first)")
            #expect(!notified, "\(between)")
        } else {
            // The first page went out before the copy on the last page was seen.
            #expect(first.filter { $0 == "echo" }.count == 1, "\(first)")
            #expect(notified, "the client is told to list again: \(between)")
        }
        let again = try await listAll(session, firstID: 200)
        #expect(!again.contains("echo") && again.contains("add") && again.contains("notify_progress"), "listed again: \(again)")

        let denied = try await session.call(RPC.toolCall(id: "7", name: "echo", arguments: #"{"text":"never-runs"}"#))
        let entry = expectDenial(denied, id: 7, code: "tool_ambiguous", tool: "echo", rule: nil, "echo listed twice")
        #expect(entry["rule"].isNull, "\(entry)")
        let add = try await session.call(RPC.toolCall(id: "8", name: "add", arguments: #"{"a":1,"b":2}"#))
        #expect(resultText(add) == "3", "other tools work: \(add)")
        try await session.sync()
        #expect(!session.serverLogText.contains { $0.contains("never-runs") }, "the refused call never reached the server")
        #expect(session.gate.stderrText.contains("withheld tool echo (tool_ambiguous)"), "\(session.gate.stderrTail)")
        #expect(session.gate.stderrText.contains("denied echo (tool_ambiguous)"), "\(session.gate.stderrTail)")
        #expect(try await session.finish() == 0)
    }

    @Test("several servers: a server's tool listed twice across its pages is not offered, its calls never reach it, the other server's is")
    func severalServers() async throws {
        let directory = try TemporaryDirectory("duplicate-host")
        let fixture = try jsonEscaped(Repository.fixtureServer)
        func server(_ name: String, _ extra: String) throws -> String {
            let log = try jsonEscaped(directory.path("\(name).log"))
            return #"{"command": "python3", "args": ["\#(fixture)"], "env": {"FIXTURE_NAME": "\#(name)", "FIXTURE_QUIET": "1", "FIXTURE_LOG": "\#(log)"\#(extra)}}"#
        }
        let manifest = #"{"version": 1, "policy": {"default": "allow"}, "servers": {"a": \#(try server("A", #", "FIXTURE_DUPLICATE": "echo", "FIXTURE_PAGE_SIZE": "4""#)), "b": \#(try server("B", ""))}}"#
        let path = try writeFile(manifest, named: "manifest.json", in: directory)
        let gate = try GateProcess(server: [], options: ["--manifest", path], in: directory)
        try await gate.send(#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#)
        let initialized = try await gate.readJSON()
        #expect(initialized["result"]["serverInfo"]["name"].string == "tollgate", "\(initialized)\(gate.stderrTail)")
        try await gate.send(RPC.notification(method: "notifications/initialized"))

        try await gate.send(RPC.request(id: "1", method: "tools/list"))
        let names = try await gate.readJSON()["result"]["tools"].array?.compactMap { $0["name"].string } ?? []
        #expect(!names.contains("a__echo"), "\(names)")
        #expect(names.contains("a__add") && names.contains("a__notify_progress") && names.contains("b__echo"), "\(names)")

        try await gate.send(RPC.toolCall(id: "2", name: "a__echo", arguments: #"{"text":"never-runs"}"#))
        expectDenial(try await gate.readJSON(), id: 2, code: "tool_ambiguous", tool: "a__echo", rule: nil, "a__echo listed twice")
        try await gate.send(RPC.toolCall(id: "3", name: "b__echo", arguments: #"{"text":"runs-on-b"}"#))
        #expect(resultText(try await gate.readJSON()) == "runs-on-b")
        try await gate.send(RPC.toolCall(id: "4", name: "a__add", arguments: #"{"a":2,"b":2}"#))
        #expect(resultText(try await gate.readJSON()) == "4")
        #expect(!fileLines(directory.path("A.log")).contains { $0.text.contains("never-runs") }, "the refused call never reached a")
        #expect(gate.stderrText.contains("server a lists tool echo more than once"), "\(gate.stderrTail)")
        #expect(gate.stderrText.contains("denied a__echo (tool_ambiguous)"), "\(gate.stderrTail)")
        gate.closeInput()
        #expect(try await gate.waitForExit() == 0)
    }
}
