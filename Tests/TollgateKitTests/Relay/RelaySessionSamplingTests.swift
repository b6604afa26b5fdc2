import Testing
@testable import TollgateKit

private func samplingRequest(id: String, maxTokens: Int) -> String {
    #"{"jsonrpc":"2.0","id":\#(id),"method":"sampling/createMessage","params":{"messages":[{"role":"user","content":{"type":"text","text":"hi"}}],"maxTokens":\#(maxTokens)}}"#
}

@Suite("RelaySession: sampling caps")
struct RelaySessionSamplingTests {
    private func session(_ budgets: String) throws -> RelaySession {
        let manifest = try #require(try? parseManifest(#"{"version": 1, "budgets": \#(budgets), "tools": {"echo": {}}}"#).get())
        return RelaySession(gate: EffectingGate(manifest: manifest, diagnostics: LogSink().diagnostics))
    }

    @Test("within the caps the request passes as its bytes and is settled on the client's answer; over a cap the server gets error -1 and the client nothing")
    func caps() throws {
        var session = try session(#"{"samplingTokens": 1000, "samplingMaxTokensPerRequest": 600}"#)
        #expect(session.capsSampling)
        #expect(session.server(samplingRequest(id: #""s-1""#, maxTokens: 500)) == .passThrough)
        #expect(session.samplingGrants.count == 1)
        #expect(session.client(#"{"jsonrpc":"2.0","id":"s-1","result":{"role":"assistant","content":{"type":"text","text":"hello there"},"model":"m"}}"#) == .passThrough)
        #expect(session.samplingGrants.isEmpty, "settled with the answer's tokens, far below 500")

        let overRequest = session.server(samplingRequest(id: "7", maxTokens: 601))
        #expect(overRequest.forward == nil, "never forwarded to the client")
        let error = try json(#require(overRequest.reply))
        #expect(error["id"]?.numberText == "7" && error["error"]?["code"]?.numberText == "-1", "\(error)")
        #expect(error["error"]?["message"]?.stringValue?.contains("samplingMaxTokensPerRequest") == true)
        #expect(overRequest.log?.contains("the client was not asked") == true)

        // 1000 - a few tokens used: two grants of 490 fit, a third does not.
        #expect(session.server(samplingRequest(id: #""s-2""#, maxTokens: 490)) == .passThrough)
        #expect(session.server(samplingRequest(id: #""s-3""#, maxTokens: 490)) == .passThrough)
        let overTotal = session.server(samplingRequest(id: #""s-4""#, maxTokens: 490))
        #expect(overTotal.forward == nil && overTotal.reply != nil)
        #expect(try json(#require(overTotal.reply))["error"]?["message"]?.stringValue?.contains("budgets.samplingTokens") == true)
        // An error answer used no tokens: its grant is given back, and the next request fits.
        _ = session.client(#"{"jsonrpc":"2.0","id":"s-3","error":{"code":-1,"message":"user declined"}}"#)
        #expect(session.server(samplingRequest(id: #""s-5""#, maxTokens: 490)) == .passThrough)
    }

    @Test("without sampling caps, server requests pass as raw bytes and keep no grant (only their ids are read)")
    func passThroughUnread() throws {
        var session = try session(#"{"calls": 5}"#)
        #expect(!session.capsSampling)
        #expect(session.server(samplingRequest(id: "1", maxTokens: 1_000_000)) == .passThrough)
        #expect(session.samplingGrants.isEmpty)
        let line = bytes(samplingRequest(id: "1", maxTokens: 5))
        #expect(line.withUnsafeBytes { ServerLine.read($0) }.isRequest)
    }
}

extension ServerLine {
    fileprivate var isRequest: Bool {
        if case .request = self { return true }
        return false
    }
}
