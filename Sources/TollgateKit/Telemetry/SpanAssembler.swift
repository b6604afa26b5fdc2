/// Turns the events of the call path into spans and metrics (pure; the exporter thread owns it):
/// a call's decision and its end become one SERVER span toward the client and, for a call that
/// reached a server, one CLIENT span toward that server; every call counts in the metrics
/// whether its trace is sampled or not.
struct SpanAssembler: Sendable {
    /// A call decided and not yet ended (or held and not yet decided).
    struct OpenCall: Sendable {
        /// When the call arrived (monotonic nanoseconds): its hold or its decision.
        var start: Int64
        var decision: CallDecision?
        /// The tool's label (see ``ToolNameBound``).
        var label = ""
    }

    /// The most calls kept open at once; a decision past it is counted, not traced.
    static let maxOpenCalls = 65_536

    var sampler: Sampler
    /// The server's name when there is one (a single server).
    var serverName: String?
    /// Resolves the server of a call by its tool name when the gate fronts several.
    var namespace: ToolNamespace?
    /// Wall-clock nanoseconds minus monotonic nanoseconds, to date spans.
    let wallOffset: Int64
    private(set) var metrics: MetricsAggregator
    private var open: [RequestID: OpenCall] = [:]
    private var names = ToolNameBound()
    private var ids = SpanIDGenerator()

    init(sampler: Sampler, serverName: String?, namespace: ToolNamespace? = nil,
         wallOffset: Int64 = SystemClock.wallNanoseconds() - SystemClock.monotonicNanoseconds()) {
        self.sampler = sampler
        self.serverName = serverName
        self.namespace = namespace
        self.wallOffset = wallOffset
        metrics = MetricsAggregator(start: SystemClock.wallNanoseconds())
    }

    /// Calls decided and not yet ended.
    var openCalls: Int { open.count }

    /// Counts what telemetry dropped.
    mutating func countDrops(_ amount: UInt64, signal: String, reason: MetricsAggregator.DropReason) {
        metrics.countDrops(amount, signal: signal, reason: reason)
    }

    /// Takes one event; returns the spans it finished (none when the trace is not sampled).
    mutating func take(_ event: TelemetryEvent) -> [SpanRecord] {
        switch event {
        case .held(let hold):
            if open.count < Self.maxOpenCalls || open[hold.id] != nil { open[hold.id] = OpenCall(start: hold.time) }
            return []
        case .decided(let decision):
            return decided(decision)
        case .ended(let end):
            guard let call = open.removeValue(forKey: end.id), let decision = call.decision else { return [] }
            return finish(decision, label: call.label, start: call.start, end: end.time, outcome: end.outcome, server: end.server)
        case .budgets(let forecast):
            metrics.sampleBudgets(forecast)
            return []
        case .counted(let counter):
            metrics.count(counter)
            return []
        }
    }

    private mutating func decided(_ decision: CallDecision) -> [SpanRecord] {
        let label = names.label(decision.tool, known: decision.toolIsKnown)
        metrics.countDecision(MetricsAggregator.DecisionKey(tool: ProtocolName(label), decision: decision.decision, code: decision.denialCode))
        if decision.denialCode == Denial.Code.budgetUnavailable.rawValue { metrics.count(.ledgerFailure) }
        if decision.denialCode == Denial.Code.auditUnavailable.rawValue { metrics.count(.auditFailure) }
        let start = open[decision.id]?.start ?? decision.start ?? decision.time
        guard decision.decision.isForwarded else {
            open[decision.id] = nil
            return finish(decision, label: label, start: start, end: decision.time, outcome: nil, server: nil)
        }
        if open.count < Self.maxOpenCalls || open[decision.id] != nil {
            open[decision.id] = OpenCall(start: start, decision: decision, label: label)
        } else {
            metrics.countDrops(1, signal: "traces", reason: .bufferFull)
        }
        return []
    }

    /// A name the model wrote, cut to 128 bytes at a scalar boundary.
    static func shortened(_ name: String) -> String {
        guard name.utf8.count > 128 else { return name }
        var kept = String.UnicodeScalarView()
        var bytes = 0
        for scalar in name.unicodeScalars {
            bytes += UTF8.width(scalar)
            if bytes > 128 { break }
            kept.append(scalar)
        }
        return String(kept)
    }

    /// How a call ended, as the conventions name it: `error.type`, `rpc.response.status_code`
    /// and the status message; nil for success.
    static func failure(decision: CallDecision, outcome: CallOutcome?) -> (type: String, statusCode: String?, message: String)? {
        guard let outcome else {
            return ("tool_error", nil, "Tollgate refused the call (\(decision.denialCode ?? "denied"))")
        }
        switch outcome {
        case .result(let isError, _): return isError ? ("tool_error", nil, "the tool's result has isError: true") : nil
        case .error(let code): return (String(code), String(code), "the server answered with JSON-RPC error \(code)")
        case .timedOut: return ("timeout", nil, "the call timed out")
        case .serverGone: return ("server_unavailable", nil, "the server went away before answering")
        }
    }

    /// The spans of a call that ended, and its metrics.
    private mutating func finish(_ decision: CallDecision, label: String, start: Int64, end: Int64, outcome: CallOutcome?,
                                 server: String?) -> [SpanRecord] {
        // What the model wrote, when the label stands in for it (cut short).
        let requested = label.utf8.elementsEqual(decision.tool.utf8) ? nil : Self.shortened(decision.tool)
        let failure = Self.failure(decision: decision, outcome: outcome)
        metrics.recordDuration(MetricsAggregator.DurationKey(method: decision.method, tool: ProtocolName(label), decision: decision.decision,
                                                             errorType: failure?.type, statusCode: failure?.statusCode),
                               seconds: Double(max(0, end - start)) / 1e9)
        let parent = decision.traceparent.flatMap { TraceContext(traceparent: $0, tracestate: decision.tracestate) }
        let traceHigh = parent?.traceHigh ?? ids.next()
        let traceLow = parent?.traceLow ?? ids.next()
        guard sampler.samples(traceLow: traceLow, parent: parent) else { return [] }
        var server = outcome == nil ? nil : server ?? serverName
        if outcome != nil, server == nil, let namespace, let route = namespace.splitPrefixed(decision.tool) {
            server = namespace.servers[route.server].name
        }
        var common = [OTLPAttribute("mcp.method.name", decision.method), OTLPAttribute("gen_ai.tool.name", label),
                      OTLPAttribute("gen_ai.operation.name", "execute_tool"), OTLPAttribute("jsonrpc.request.id", Self.idText(decision.id)),
                      OTLPAttribute("network.transport", "pipe")]
        if let version = decision.protocolVersion { common.append(OTLPAttribute("mcp.protocol.version", version)) }
        if let failure {
            common.append(OTLPAttribute("error.type", failure.type))
            if let code = failure.statusCode { common.append(OTLPAttribute("rpc.response.status_code", code)) }
        }
        if let server { common.append(OTLPAttribute("tollgate.server", server)) }
        var attributes = common
        attributes.append(OTLPAttribute("tollgate.decision", decision.decision.rawValue))
        if let code = decision.denialCode { attributes.append(OTLPAttribute("tollgate.denial.code", code)) }
        if let rule = decision.rule { attributes.append(OTLPAttribute("tollgate.rule", rule)) }
        if !decision.budgetsLeft.isEmpty {
            attributes.append(OTLPAttribute("tollgate.budget.names", .strings(decision.budgetsLeft.map(\.name))))
            attributes.append(OTLPAttribute("tollgate.budget.remaining", .doubles(decision.budgetsLeft.map { Double($0.left) ?? 0 })))
        }
        if let approval = decision.approval { attributes.append(OTLPAttribute("tollgate.approval.outcome", approval)) }
        if let agent = decision.agent { attributes.append(OTLPAttribute("tollgate.agent", agent)) }
        if let requested { attributes.append(OTLPAttribute("tollgate.tool.requested", requested)) }
        let name = "\(decision.method) \(label)"
        let serverSpanID = ids.next()
        var serverSpan = SpanRecord(traceHigh: traceHigh, traceLow: traceLow, spanID: serverSpanID, parentSpanID: parent?.spanID ?? 0,
                                    traceState: parent?.state, name: name, kind: .server, start: start + wallOffset, end: end + wallOffset,
                                    attributes: attributes, parentIsRemote: parent != nil)
        if let failure {
            serverSpan.status = .error
            serverSpan.statusMessage = failure.message
        }
        guard outcome != nil else { return [serverSpan] }
        var clientSpan = SpanRecord(traceHigh: traceHigh, traceLow: traceLow, spanID: ids.next(), parentSpanID: serverSpanID,
                                    traceState: parent?.state, name: name, kind: .client, start: decision.time + wallOffset,
                                    end: end + wallOffset, attributes: common)
        clientSpan.status = serverSpan.status
        clientSpan.statusMessage = serverSpan.statusMessage
        return [serverSpan, clientSpan]
    }

    /// The id as the conventions want it: a string id without its quotes, a number as written.
    static func idText(_ id: RequestID) -> String {
        let text = id.description
        guard text.utf8.first == UInt8(ascii: "\""), case .string(let string)? = try? JSONValue.parse(text) else { return text }
        return string
    }
}
