import Testing
@testable import TollgateKit

@Suite("RelaySession: oversized responses")
struct OversizedResponseTests {
    @Test("a response too large to read answers its call once and tells the gate the call failed")
    func oversizedResponseSettlesTheCall() throws {
        var session = RelaySession(gate: RecordingGate())
        let line = Array(#"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"big","arguments":{}}}"#.utf8)
        _ = line.withUnsafeBytes { session.clientLine($0) }
        let id = RequestID(bytes: Array("5".utf8), isString: false, hasEscapes: false)
        let answered = session.oversizedResponse(to: id, length: 200 << 20, limit: 128 << 20)
        let reply = try #require(answered)
        let result = try JSONValue.parse(reply)
        #expect(result["id"] == 5)
        #expect(result["result"]?["_meta"]?[Denial.metaKey]?["code"] == "server_unavailable")
        let again = session.oversizedResponse(to: id, length: 1, limit: 0)
        #expect(again == nil, "answered exactly once")
        let gate = try #require(session.gate as? RecordingGate)
        #expect(gate.completions.map(\.outcome) == [.error(code: JSONRPCError.Code.internalError.rawValue)])
    }
}
