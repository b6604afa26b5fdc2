import Testing
@testable import TollgateKit

private func samplingRequest(id: String, maxTokens: Int) -> String {
    #"{"jsonrpc":"2.0","id":\#(id),"method":"sampling/createMessage","params":{"messages":[{"role":"user","content":{"type":"text","text":"hi"}}],"maxTokens":\#(maxTokens)}}"#
}

/// What only the session for one server does with sampling (the rest: SessionSamplingTests).
@Suite("RelaySession: sampling caps")
struct RelaySessionSamplingTests {
    private func session(_ budgets: String) throws -> RelaySession {
        let manifest = try #require(try? parseManifest(#"{"version": 1, "budgets": \#(budgets), "tools": {"echo": {}}}"#).get())
        return RelaySession(gate: EffectingGate(manifest: manifest, diagnostics: LogSink().diagnostics))
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
