import Testing
@testable import TollgateKit

@Suite("Telemetry: spans and metrics from the call path's events")
struct SpanAssemblerTests {
    func id(_ number: Int) -> RequestID { RequestID(bytes: Array(String(number).utf8), isString: false, hasEscapes: false) }

    func decision(_ number: Int, tool: String = "echo", known: Bool = true, _ decision: TelemetryDecision = .allowed, at time: Int64) -> CallDecision {
        CallDecision(id: id(number), tool: tool, toolIsKnown: known, decision: decision, time: time)
    }

    func attributes(_ span: SpanRecord) -> [String: OTLPAttribute.Value] {
        Dictionary(span.attributes.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
    }

    @Test("an allowed call that ends is a SERVER span with a CLIENT child; its duration is counted")
    func allowedCall() throws {
        var assembler = SpanAssembler(sampler: .alwaysOn, serverName: "git", wallOffset: 1_000_000_000)
        #expect(assembler.take(.decided(decision(7, at: 5_000))).isEmpty)
        let spans = assembler.take(.ended(CallEnd(id: id(7), outcome: .result(isError: false, bytes: 10), time: 2_000_005_000)))
        try #require(spans.count == 2)
        let (server, client) = (spans[0], spans[1])
        #expect(server.kind == .server && client.kind == .client && server.name == "tools/call echo")
        #expect(client.parentSpanID == server.spanID && client.traceLow == server.traceLow && server.parentSpanID == 0)
        #expect(server.start == 1_000_005_000 && server.end == 3_000_005_000 && server.status == .unset)
        let shown = attributes(server)
        #expect(shown["mcp.method.name"] == .string("tools/call") && shown["gen_ai.tool.name"] == .string("echo"))
        #expect(shown["gen_ai.operation.name"] == .string("execute_tool") && shown["jsonrpc.request.id"] == .string("7"))
        #expect(shown["network.transport"] == .string("pipe") && shown["tollgate.decision"] == .string("allowed") && shown["tollgate.server"] == .string("git"))
        #expect(shown["error.type"] == nil)
        let histogram = try #require(assembler.metrics.durations.first?.value)
        #expect(histogram.count == 1 && histogram.sum == 2.0 && histogram.bucketCounts[7] == 1)  // 2 s: the bucket up to 2
    }

    @Test("a denied call is one SERVER span, error.type tool_error, status ERROR, counted with its code")
    func deniedCall() throws {
        var assembler = SpanAssembler(sampler: .alwaysOn, serverName: "git")
        var denied = decision(1, tool: "delete_file", .denied, at: 10)
        denied.denialCode = "tool_denied"
        denied.rule = "tools.delete_*"
        let spans = assembler.take(.decided(denied))
        try #require(spans.count == 1)
        let shown = attributes(spans[0])
        #expect(spans[0].status == .error && shown["error.type"] == .string("tool_error") && shown["tollgate.denial.code"] == .string("tool_denied"))
        #expect(shown["tollgate.rule"] == .string("tools.delete_*") && shown["tollgate.server"] == nil)
        #expect(assembler.metrics.decisions[MetricsAggregator.DecisionKey(tool: "delete_file", decision: .denied, code: "tool_denied")] == 1)
    }

    @Test("timeouts, JSON-RPC errors and tool errors name their error.type")
    func failures() throws {
        var assembler = SpanAssembler(sampler: .alwaysOn, serverName: nil)
        let outcomes: [(CallOutcome, String, String?)] = [(.timedOut, "timeout", nil), (.error(code: -32602), "-32602", "-32602"),
                                                         (.result(isError: true, bytes: 3), "tool_error", nil), (.serverGone, "server_unavailable", nil)]
        for (index, (outcome, type, code)) in outcomes.enumerated() {
            _ = assembler.take(.decided(decision(index, at: 0)))
            let spans = assembler.take(.ended(CallEnd(id: id(index), outcome: outcome, time: 1)))
            let shown = attributes(try #require(spans.first))
            #expect(shown["error.type"] == .string(type) && shown["rpc.response.status_code"] == code.map(OTLPAttribute.Value.string), "\(outcome)")
            #expect(spans.allSatisfy { $0.status == .error })
        }
        #expect(assembler.openCalls == 0)
    }

    @Test("the client's traceparent is the parent: same trace, remote parent span, tracestate kept")
    func parent() throws {
        var assembler = SpanAssembler(sampler: .standard, serverName: nil)
        var call = decision(1, at: 0)
        call.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        call.tracestate = "rojo=1"
        _ = assembler.take(.decided(call))
        let spans = assembler.take(.ended(CallEnd(id: id(1), outcome: .result(isError: false, bytes: 1), time: 1)))
        #expect(spans[0].traceHigh == 0x4bf9_2f35_77b3_4da6 && spans[0].parentSpanID == 0x00f0_67aa_0ba9_02b7 && spans[0].parentIsRemote)
        #expect(spans[0].traceState == "rojo=1" && spans[1].traceState == "rojo=1")
        // An unsampled parent: no spans under parentbased, the call still counted.
        call.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"
        call.id = id(2)
        _ = assembler.take(.decided(call))
        #expect(assembler.take(.ended(CallEnd(id: id(2), outcome: .result(isError: false, bytes: 1), time: 1))).isEmpty)
        #expect(assembler.metrics.decisions.values.reduce(0, +) == 2)
    }

    @Test("names nobody listed become _unknown; past the limit, _other; the name the model wrote is kept cut short")
    func cardinality() throws {
        var assembler = SpanAssembler(sampler: .alwaysOn, serverName: nil)
        let madeUp = String(repeating: "ü", count: 100)
        var denied = decision(1, tool: madeUp, known: false, .denied, at: 0)
        denied.denialCode = "tool_denied"
        let span = try #require(assembler.take(.decided(denied)).first)
        #expect(span.name == "tools/call _unknown" && attributes(span)["gen_ai.tool.name"] == .string("_unknown"))
        guard case .string(let requested)? = attributes(span)["tollgate.tool.requested"] else {
            Issue.record("no tollgate.tool.requested")
            return
        }
        #expect(requested.utf8.count == 128 && madeUp.hasPrefix(requested))
        var bound = ToolNameBound(limit: 2)
        #expect(bound.label("a", known: true) == "a" && bound.label("b", known: true) == "b" && bound.label("c", known: true) == ToolNameBound.other)
        #expect(bound.label("a", known: true) == "a" && bound.label("a", known: false) == ToolNameBound.unknown)
        #expect(bound.label(String(repeating: "x", count: 300), known: true) == ToolNameBound.other)
    }

    @Test("a held call's span starts at the hold and carries the approval")
    func held() throws {
        var assembler = SpanAssembler(sampler: .alwaysOn, serverName: nil, wallOffset: 0)
        _ = assembler.take(.held(CallHold(id: id(3), time: 100)))
        var approved = decision(3, at: 900)
        approved.approval = "approved by client"
        _ = assembler.take(.decided(approved))
        let spans = assembler.take(.ended(CallEnd(id: id(3), outcome: .result(isError: false, bytes: 1), time: 1000)))
        #expect(spans[0].start == 100 && spans[1].start == 900 && attributes(spans[0])["tollgate.approval.outcome"] == .string("approved by client"))
    }

    @Test("several servers: the server is found by the tool's prefix")
    func namespace() throws {
        let namespace = ToolNamespace(servers: [.init(name: "git"), .init(name: "time")])
        var assembler = SpanAssembler(sampler: .alwaysOn, serverName: nil, namespace: namespace)
        _ = assembler.take(.decided(decision(1, tool: "time__now", at: 0)))
        let spans = assembler.take(.ended(CallEnd(id: id(1), outcome: .result(isError: false, bytes: 1), time: 1)))
        #expect(attributes(spans[1])["tollgate.server"] == .string("time"))
    }
}
