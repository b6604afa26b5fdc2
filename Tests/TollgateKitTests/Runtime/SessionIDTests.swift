import Testing
@testable import TollgateKit

private func call(_ id: String, _ tool: String = "sleep") -> String { TwinLine.call(id, tool) }

/// The JSON-RPC error code of the one line for the client, checking nothing reached a server.
private func refusalCode(_ actions: TwinActions, sourceLocation: SourceLocation = #_sourceLocation) throws -> String? {
    #expect(actions.reachesNoServer, "a refused request reaches no server", sourceLocation: sourceLocation)
    return try HostLine.one(actions.toClient, sourceLocation: sourceLocation)["error"]?["code"]?.numberText
}

@Suite("Both sessions: the client's ids")
struct SessionIDTests {
    @Test("an id in flight is refused, in any spelling, before the gate is asked; \"1\" is not 1; answered, the id is free again and its exact bytes come back",
          arguments: Twin.allCases)
    func idInFlight(_ twin: Twin) throws {
        var session = try twin.session(gate: DenyingGate(denying: "rm"))
        let first = session.fromClient(call(#""x\/y""#)).toServer
        #expect(!first.isEmpty)

        let clash = session.fromClient(call(#""x/y""#, "echo"))
        #expect(try refusalCode(clash) == "-32600", "an escaped spelling of an id in flight is the same id")
        #expect(idText(ofLine: Array(clash.toClient.dropLast())) == #""x/y""#, "the refused request's own id bytes")
        let list = session.fromClient(#"{"jsonrpc":"2.0","id":"x\/y","method":"tools/list"}"#)
        #expect(try refusalCode(list) == "-32600")
        #expect((session.gate as? DenyingGate)?.seen == ["sleep"], "a refused call never reaches the gate")

        #expect(!session.fromClient(call("1")).toServer.isEmpty)
        #expect(!session.fromClient(call(#""1""#)).toServer.isEmpty, "\"1\" is not 1")
        let escaped = session.fromClient(call(#""\u0031""#))
        #expect(try refusalCode(escaped) == "-32600", "an escaped spelling of an id in flight is the same id")
        #expect(idText(ofLine: Array(escaped.toClient.dropLast())) == #""\u0031""#)
        #expect(session.inFlight.count == 3)

        let answer = session.fromServer(try TwinLine.answer(to: first, result: "{}"), at: 0)
        #expect(text(answer.toClient) == #"{"jsonrpc":"2.0","id":"x\/y","result":{}}"# + "\n", "the client's exact id bytes")
        #expect(!session.fromClient(call(#""x/y""#)).toServer.isEmpty, "free again")
    }

    @Test("a denied or failed call does not occupy its id", arguments: Twin.allCases)
    func deniedCallFreesID(_ twin: Twin) throws {
        var session = try twin.session(gate: DenyingGate(denying: "rm"))
        #expect(try HostLine.one(session.fromClient(call("3", "rm")).toClient)["result"] != nil)
        #expect(try HostLine.one(session.fromClient(call("3", "rm")).toClient)["result"] != nil)
        #expect(session.inFlight.count == 0)
    }
}
