import Testing
@testable import TollgateKit

private func samplingRequest(id: String, maxTokens: Int) -> String {
    #"{"jsonrpc":"2.0","id":\#(id),"method":"sampling/createMessage","params":{"messages":[{"role":"user","content":{"type":"text","text":"hi"}}],"maxTokens":\#(maxTokens)}}"#
}

@Suite("Both sessions: sampling caps")
struct SessionSamplingTests {
    @Test("within the caps a server's request reaches the client and is settled on its answer, which goes back to that server; over a cap the server gets error -1 and the client nothing; an error answer gives its grant back",
          arguments: Twin.allCases)
    func caps(_ twin: Twin) throws {
        let manifest = try #require(try? parseManifest(#"{"version": 1, "budgets": {"samplingTokens": 1000, "samplingMaxTokensPerRequest": 600}, "tools": {"echo": {}}}"#).get())
        var session = try twin.session(gate: EffectingGate(manifest: manifest, diagnostics: LogSink().diagnostics))
        #expect(session.capsSampling)
        let asked = session.fromServer(samplingRequest(id: #""s-1""#, maxTokens: 500), at: 0)
        let request = try HostLine.one(asked.toClient)
        let params = try json(samplingRequest(id: "1", maxTokens: 500))["params"]
        #expect(request["method"] == "sampling/createMessage" && request["params"] == params, "the request as the server made it")
        #expect(asked.reachesNoServer && session.samplingGrants.count == 1)
        let result = #"{"role":"assistant","content":{"type":"text","text":"hello there"},"model":"m"}"#
        let answered = session.fromClient(try TwinLine.answer(to: asked.toClient, result: result))
        #expect(text(answered.toServer) == #"{"jsonrpc":"2.0","id":"s-1","result":\#(result)}"# + "\n", "back to the server under its own id")
        #expect(answered.toClient.isEmpty && answered.toOtherServers.isEmpty)
        #expect(session.samplingGrants.isEmpty, "settled with the answer's tokens, far below 500")

        let overRequest = session.fromServer(samplingRequest(id: "7", maxTokens: 601), at: 0)
        #expect(overRequest.toClient.isEmpty, "never forwarded to the client")
        let error = try HostLine.one(overRequest.toServer)
        #expect(error["id"]?.numberText == "7" && error["error"]?["code"]?.numberText == "-1", "\(error)")
        #expect(error["error"]?["message"]?.stringValue?.contains("samplingMaxTokensPerRequest") == true)
        #expect(overRequest.logs.contains { $0.contains("the client was not asked") }, "\(overRequest.logs)")

        // 1000 - a few tokens used: two grants of 490 fit, a third does not.
        #expect(!session.fromServer(samplingRequest(id: #""s-2""#, maxTokens: 490), at: 0).toClient.isEmpty)
        let third = session.fromServer(samplingRequest(id: #""s-3""#, maxTokens: 490), at: 0)
        #expect(!third.toClient.isEmpty)
        let overTotal = session.fromServer(samplingRequest(id: #""s-4""#, maxTokens: 490), at: 0)
        #expect(overTotal.toClient.isEmpty && !overTotal.toServer.isEmpty)
        #expect(try HostLine.one(overTotal.toServer)["error"]?["message"]?.stringValue?.contains("budgets.samplingTokens") == true)
        // An error answer used no tokens: its grant is given back, and the next request fits.
        let thirdID = try #require(splitLines(third.toClient).first.flatMap(idText(ofLine:)))
        _ = session.fromClient(#"{"jsonrpc":"2.0","id":\#(thirdID),"error":{"code":-1,"message":"user declined"}}"#)
        #expect(!session.fromServer(samplingRequest(id: #""s-5""#, maxTokens: 490), at: 0).toClient.isEmpty)
    }
}
