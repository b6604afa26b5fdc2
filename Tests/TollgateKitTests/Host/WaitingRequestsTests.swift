import Testing
@testable import TollgateKit

@Suite("WaitingRequests: the aggregating session's waiting tables, counted in one place")
struct WaitingRequestsTests {
    private func id(_ text: String) -> RequestID {
        RequestID(bytes: Array("\"\(text)\"".utf8), isString: true, hasEscapes: false)
    }

    private func call(_ text: String) throws -> ToolCall {
        var call = try ToolCall(id: id(text), params: json(#"{"name":"a__echo","arguments":{}}"#))
        call.messageBytes = 100
        return call
    }

    /// Each table with one request in it, under its property's name.
    private func oneInEach() throws -> [(table: String, id: RequestID, cost: Int, held: Bool, fill: (inout WaitingRequests) -> Void)] {
        let (initialize, list, catalog, started, deferred, parked, round) =
            (id("init"), id("list"), id("catalog"), try call("start"), try call("deferred"), try call("parked"), try call("round"))
        return [
            ("initialize", initialize, initialize.byteCount, true, { $0.initialize = (initialize, "2025-06-18") }),
            ("lists", list, list.byteCount, true, { $0.lists.append(list) }),
            ("catalogs", catalog, catalog.byteCount, true, { $0.catalogs.append((catalog, .prompts)) }),
            ("forStart", started.id, started.id.byteCount + 100, true, { $0.forStart[1, default: []].append(started) }),
            ("deferred", deferred.id, deferred.id.byteCount + 100, true, { $0.defer(.toolCall(deferred)) }),
            ("parkedCalls", parked.id, parked.id.byteCount + 100, false, {
                $0.parkedCalls["tollgate/input-1"] = HostSession.ParkedCall(call: parked, gateID: self.id("g-1"), child: 0, asked: [])
                $0.parkedByGate[self.id("g-1")] = "tollgate/input-1"
            }),
            ("inputRounds", round.id, round.id.byteCount + 100, true, {
                $0.inputRounds[round.id] = HostSession.InputRound(call: round, child: 0, params: [:])
            }),
        ]
    }

    @Test("every table is counted, costed, and checked for ids (a parked call's client was answered)")
    func everyTableCounted() throws {
        var waiting = WaitingRequests()
        #expect(waiting.count == 0 && waiting.bytes == 0)
        for (table, id, cost, held, fill) in try oneInEach() {
            let (count, bytes) = (waiting.count, waiting.bytes)
            #expect(!waiting.holds(id), "\(table)")
            fill(&waiting)
            #expect(waiting.count == count + 1, "\(table)")
            #expect(waiting.bytes == bytes + cost, "\(table)")
            #expect(waiting.holds(id) == held, "\(table)")
        }
        #expect(waiting.count == 7)
    }

    @Test("a table added to WaitingRequests is one this suite fills (so count, bytes and holds cover it)")
    func noTableLeftOut() throws {
        // What is not a table of requests: the cost of `deferred`, and the index of `parkedCalls`.
        let covered = Set(try oneInEach().map(\.table)).union(["deferredBytes", "parkedByGate"])
        let stored = Mirror(reflecting: WaitingRequests()).children.compactMap(\.label)
        #expect(Set(stored) == covered && stored.count == covered.count, "\(stored)")
    }

    @Test("ids are compared by their exact bytes: a KELVIN SIGN id is not a K one")
    func exactBytes() {
        var waiting = WaitingRequests()
        waiting.lists.append(id("K"))
        #expect(waiting.holds(id("K")))
        #expect(!waiting.holds(id("\u{212A}")))
    }

    @Test("a call waiting for its child's start is withdrawn once; nothing else is")
    func withdraw() throws {
        var waiting = WaitingRequests()
        waiting.forStart[0] = [try call("a"), try call("b")]
        waiting.lists.append(id("c"))
        let withdrawn = [waiting.withdraw(call: id("b")), waiting.withdraw(call: id("b")), waiting.withdraw(call: id("c"))]
        #expect(withdrawn == [true, false, false])
        #expect(waiting.count == 2 && waiting.holds(id("a")) && !waiting.holds(id("b")))
    }

    @Test("deferred requests are taken in the order they came, and cost nothing after")
    func takeDeferred() throws {
        var waiting = WaitingRequests()
        waiting.defer(.request(id("1"), method: "tools/list", params: nil))
        waiting.defer(.toolCall(try call("2")))
        let taken = waiting.takeDeferred().map(\.id)
        #expect(taken == [id("1"), id("2")])
        #expect(waiting.count == 0 && waiting.bytes == 0 && waiting.deferred.isEmpty)
    }
}
