import Testing
@testable import TollgateKit

@Suite("IDMap")
struct IDMapTests {
    private func id(_ text: String) -> RequestID {
        RequestID(bytes: bytes(text), isString: text.hasPrefix("\""), hasEscapes: text.contains("\\"))
    }

    @Test("the same client id sent to two children gets two gate ids, each mapping back to the exact bytes")
    func collidingClientIDs() {
        var map = IDMap<String>()
        let a = map.forward(to: 0, clientID: id("1"), purpose: "a")
        // A second request with id 1 can only come after the first was answered; two different
        // clients ids that look alike to a child: "1" and 1.
        let b = map.forward(to: 1, clientID: id("\"1\""), purpose: "b")
        #expect(a.id != b.id)
        guard case .forwarded(let second) = map.answer(from: 1, id: b.id) else { Issue.record("b unknown"); return }
        #expect(second.clientID?.bytes == bytes("\"1\"") && second.purpose == "b")
        guard case .forwarded(let first) = map.answer(from: 0, id: a.id) else { Issue.record("a unknown"); return }
        #expect(first.clientID?.bytes == bytes("1") && first.purpose == "a")
        #expect(map.childBoundCount == 0)
    }

    @Test("a response from the wrong child, a repeated response and an id never given out are unknown")
    func unknownResponses() {
        var map = IDMap<String>()
        let sent = map.forward(to: 0, clientID: id("7"), purpose: "x")
        guard case .unknown = map.answer(from: 1, id: sent.id) else { Issue.record("another child's id matched"); return }
        guard case .forwarded = map.answer(from: 0, id: sent.id) else { Issue.record("the right child did not match"); return }
        guard case .unknown = map.answer(from: 0, id: sent.id) else { Issue.record("answered twice"); return }
        guard case .unknown = map.answer(from: 0, id: id("999")) else { Issue.record("an id never sent matched"); return }
    }

    @Test("client ids are in flight until answered; cancellation finds the child and the gate id")
    func cancellation() {
        var map = IDMap<String>()
        let sent = map.forward(to: 2, clientID: id("\"a\\/b\""), purpose: "x")
        #expect(map.isInFlight(clientID: id("\"a/b\"")))  // the same id, escaped differently
        let target = map.cancellation(ofClientID: id("\"a\\/b\""))
        #expect(target?.child == 2 && target?.id == sent.id)
        _ = map.answer(from: 2, id: sent.id)
        #expect(!map.isInFlight(clientID: id("\"a\\/b\"")))
        #expect(map.cancellation(ofClientID: id("\"a\\/b\"")) == nil)
    }

    @Test("progress tokens: replaced by gate tokens that only the child asked may use, released with the answer")
    func progressTokens() {
        var map = IDMap<String>()
        let a = map.forward(to: 0, clientID: id("1"), purpose: "a", progressToken: "p")
        let b = map.forward(to: 1, clientID: id("2"), purpose: "b", progressToken: 5)
        let tokenA = try! #require(a.progressToken)
        let tokenB = try! #require(b.progressToken)
        #expect(tokenA != tokenB && tokenA != "p")
        #expect(map.progressFromChild(0, token: tokenA) == "p")
        #expect(map.progressFromChild(1, token: tokenB) == 5)
        #expect(map.progressFromChild(1, token: tokenA) == nil, "a child may not use another child's token")
        #expect(map.progressFromChild(0, token: "p") == nil, "the client's own token is not a gate token")
        _ = map.answer(from: 0, id: a.id)
        #expect(map.progressFromChild(0, token: tokenA) == nil)
    }

    @Test("child requests to the client: gate ids, answers routed back, cancellation and progress")
    func childRequests() {
        var map = IDMap<String>()
        let first = map.forwardToClient(from: 0, childID: id("\"s-1\""), progressToken: "t")
        let second = map.forwardToClient(from: 1, childID: id("\"s-1\""))
        #expect(first.id != second.id)
        #expect(first.id.bytes.first == UInt8(ascii: "\""))
        let route = map.progressFromClient(token: try! #require(first.progressToken))
        #expect(route?.child == 0 && route?.token == "t")
        #expect(map.clientAnswer(id: second.id) == IDMap<String>.ChildRequest(child: 1, childID: id("\"s-1\"")))
        #expect(map.clientAnswer(id: second.id) == nil)
        #expect(map.cancellation(fromChild: 1, childID: id("\"s-1\"")) == nil)
        #expect(map.cancellation(fromChild: 0, childID: id("\"s-1\"")) == first.id)
        #expect(map.clientAnswer(id: first.id) == nil, "a cancelled request's answer is dropped")
        #expect(map.clientBoundCount == 0)
    }

    @Test("removing a child returns what it owes, oldest first, and leaves other children alone")
    func removeChild() {
        var map = IDMap<String>()
        var sent: [RequestID] = []
        for n in 0..<12 { sent.append(map.forward(to: n % 2, clientID: id(String(n)), purpose: String(n)).id) }
        let asked = map.forwardToClient(from: 1, childID: id("3"))
        let removed = map.removeAll(child: 1)
        #expect(removed.forwarded.map(\.purpose) == ["1", "3", "5", "7", "9", "11"])
        #expect(removed.clientBound == [asked.id])
        #expect(map.clientAnswer(id: asked.id) == nil)
        #expect(map.childBoundCount == 6)
        guard case .forwarded = map.answer(from: 0, id: sent[10]) else { Issue.record("child 0's entry went too"); return }
    }
}
