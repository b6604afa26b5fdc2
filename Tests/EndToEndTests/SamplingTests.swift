import Foundation
import Testing

/// Sampling caps in front of `fixture_server.py`'s `ask_sampling`, with a scripted client.
@Suite("Sampling caps", .timeLimit(.minutes(2)))
struct SamplingTests {
    @Test("over samplingMaxTokensPerRequest the server gets an error and the client is never asked; within it the client answers and the call completes")
    func caps() async throws {
        let session = try PolicySession("sampling", manifest: """
            {"version": 1, "budgets": {"samplingTokens": 1000, "samplingMaxTokensPerRequest": 300}, "tools": {"ask_sampling": {}}}
            """, environment: ["FIXTURE_CLIENT_TIMEOUT": "10"])
        // Over the per-request cap: the next line the client reads is the tool's own answer.
        let refused = try await session.call(RPC.toolCall(id: "1", name: "ask_sampling", arguments: #"{"maxTokens":500}"#))
        #expect(refused["id"].int == 1, "the client saw no sampling request: \(refused)")
        #expect(refused["result"]["isError"].bool == true)
        #expect(resultText(refused)?.contains("sampling failed: -1") == true, "\(refused)")
        #expect(resultText(refused)?.contains("samplingMaxTokensPerRequest") == true, "\(refused)")

        // Within the caps: the request reaches the client as it is; the client's answer goes back.
        try await session.gate.send(RPC.toolCall(id: "2", name: "ask_sampling", arguments: #"{"maxTokens":200,"prompt":"hi"}"#))
        let request = try await session.gate.readJSON()
        #expect(request["method"].string == "sampling/createMessage" && request["params"]["maxTokens"].int == 200, "\(request)")
        let serverID = try #require(request["id"].string)
        try await session.gate.send(#"{"jsonrpc":"2.0","id":"\#(serverID)","result":{"role":"assistant","content":{"type":"text","text":"hello from the model"},"model":"test"}}"#)
        let answer = try await session.gate.readJSON()
        #expect(answer["id"].int == 2 && resultText(answer) == "hello from the model", "\(answer)")
        #expect(session.gate.stderrText.contains("refused the server's sampling/createMessage"), "\(session.gate.stderrText)")
        #expect(try await session.finish() == 0)
    }
}
