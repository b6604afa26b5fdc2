/// The aggregating gate's state machine: one client in front, several child servers behind, one
/// MCP server as the client sees it. It answers the client's `initialize` (or, for a stateless
/// 2026-07-28 client, `server/discover`) itself once every child was initialized, translating
/// between the eras where the client and a child speak different ones (HostSession+Eras),
/// answers `tools/list` with the union of the children's tools (namespaced by
/// ``ToolNamespace``), routes `tools/call` through the ``Gate`` to the owning child under the
/// tool's original name, answers `ping`, and maps every id and progress token through its
/// ``IDMap``. It returns ``HostActions``; no I/O happens here.
///
/// Every client request gets exactly one response, also when its child is gone. Requests the
/// gate does not aggregate yet (resources, prompts, completion) are answered with a JSON-RPC
/// "method not found" error that says so; batches are refused (they exist only in 2025-03-26).
public struct HostSession: RuntimeSession {
    /// The 2025-era protocol versions the aggregating gate negotiates in `initialize` with a client
    /// (and then with its children). It speaks ``EraTranslation/statelessVersions`` too.
    public static let supportedVersions = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"]

    /// The gate consulted for tool calls and the tool list.
    public var gate: any Gate
    /// How tool names are exposed and routed.
    public internal(set) var namespace: ToolNamespace
    /// The children, by index (the namespace's servers, in order).
    public internal(set) var children: [HostChild]
    /// The id spaces.
    public internal(set) var ids = IDMap<HostPurpose>()
    /// The client's requests waiting for something other than a child's answer
    /// (HostSession+InFlight counts them with the rest).
    var waiting = WaitingRequests()
    /// The nesting limit for every message read.
    public let maxDepth: Int
    /// The agent's view of the children's tools, rebuilt when a listing changes.
    public internal(set) var union = ToolUnion()
    /// The client's `initialize` params, passed on to each child (version replaced).
    var clientParams = JSONObject()
    /// Whether the client's `initialize` was answered.
    public internal(set) var isInitialized = false
    /// The problems of the last union, reported once each.
    var reportedProblems = ReportedOnce()
    /// Whether the gate uses timers (call timeouts, periodic work); when not, the session never
    /// schedules one and the I/O layer need not read the clock (pass `now: 0`).
    public let usesTimers: Bool
    /// How long each child may take to answer `initialize` (milliseconds), by index.
    var startTimeouts: [Int64]
    /// What the session waits for, by deadline (monotonic milliseconds); requests by gate-owned id.
    public internal(set) var timers = DeadlineTable()
    /// The timeout of each timed call in flight, by gate-owned id.
    var callTimeouts: [RequestID: CallTimeout] = [:]
    /// The sampling grants of children's requests the client has not answered yet, by gate-owned
    /// id; a request its child cancels or abandons stays counted in full.
    var samplingGrants: [RequestID: SamplingGrant] = [:]
    /// The verdicts on the sampling requests of the child line being decided.
    var samplingAdmissions = SamplingAdmissions()
    /// URI schemes served by more than one server, reported once each.
    var reportedSchemes = ReportedOnce()
    /// Calls held for approval and Tollgate's own requests to the client.
    public internal(set) var approvals = ApprovalState()
    /// The client's era, settled by its first request: `initialize` opens a 2025-era session, a
    /// request carrying the 2026-07-28 `_meta` version a stateless one. Nil before either.
    public internal(set) var clientEra: ProtocolEra?
    /// The client's identity (from `initialize` or a stateless request's `_meta`), passed on in
    /// the stateless requests Tollgate sends.
    var clientInfo: JSONValue?
    /// The monotonic time of the last line or tick (for requests replayed later).
    var lastNow: Int64 = 0
    /// The number of the next `requestState` and input request key given out.
    var nextInputNumber: UInt64 = 1
    /// The bounds on what the client and the children can make the session keep.
    public let limits: PeerLimits
    /// Whether the gate caps sampling (then children's sampling requests are admitted first).
    public var capsSampling: Bool { gate.capsSampling }

    /// A session over the namespace's servers, deciding calls by `gate`.
    /// `startTimeouts` gives, per server, how long it may take to answer `initialize` (in
    /// milliseconds; none: no limit, and no timers unless the gate uses them).
    /// A `reloadable` session may get another gate later (``reload(with:)``), so it reads the
    /// clock from the start.
    public init(namespace: ToolNamespace, gate: any Gate = PassThroughGate(), startTimeouts: [Int64] = [],
                maxDepth: Int = JSONScanner.defaultMaxDepth, reloadable: Bool = false, limits: PeerLimits = .standard) {
        self.limits = limits
        self.namespace = namespace
        self.gate = gate
        self.maxDepth = maxDepth
        self.startTimeouts = startTimeouts
        self.usesTimers = gate.usesTimers || !startTimeouts.isEmpty || reloadable
        children = namespace.servers.map { HostChild(name: $0.name) }
    }

    /// Puts `newGate` (a reloaded manifest's) in place of the gate: calls decided so far finish
    /// as decided, the next one is decided by the new gate (and the next `tools/list` filtered
    /// by it, which the client is told of). Throws, keeping the old gate, when the new one
    /// cannot take over.
    public mutating func reload(with newGate: PolicyGate) throws(ReloadRefusal) -> HostActions {
        gate = try gate.handOver(to: newGate).gate
        var actions = HostActions()
        if takesListChanges { actions.sendClient(Reply.notification(method: "notifications/tools/list_changed", params: nil)) }
        return actions
    }

    // MARK: - Client lines

    /// Reads and decides one line from the client (without its newline). `now` is the monotonic
    /// time in milliseconds (read by the caller; only used when ``usesTimers``).
    public mutating func clientLine(_ line: UnsafeRawBufferPointer, now: Int64 = 0) -> HostActions {
        var actions = HostActions()
        lastNow = now
        switch MessageEnvelope.scan(line, maxDepth: maxDepth) {
        case .failure(let malformed):
            if case .empty = malformed.error.reason { return actions }
            let (error, log) = JSONRPCError.malformed(malformed.error)
            actions.sendClient(Reply.error(id: malformed.id.map { Array(line[$0]) }, error))
            actions.log(log)
        case .success(.batch):
            actions.sendClient(Reply.error(id: nil, JSONRPCError(
                .invalidRequest, "Invalid Request: Tollgate does not take JSON-RPC batches when it aggregates several servers")))
            actions.log("refused a batch from the client (not supported when aggregating)")
        case .success(.single(let envelope)):
            switch envelope.kind {
            case .invalid, .request:
                clientRequest(ClientMessage.read(envelope, in: line, maxDepth: maxDepth), envelope, in: line, now: now, into: &actions)
            case .response:
                clientResponse(envelope, in: line, now: now, into: &actions)
            case .notification:
                clientNotification(envelope, in: line, into: &actions)
            }
        }
        return actions
    }

    private mutating func clientRequest(_ message: ClientMessage, _ envelope: MessageEnvelope, in line: UnsafeRawBufferPointer,
                                        now: Int64, into actions: inout HostActions) {
        switch message {
        case .invalid(let id, let error, let log):
            actions.sendClient(Reply.error(id: id, error))
            actions.log(log)
        case .malformedToolCall(let id, let error):
            actions.sendClient(Reply.error(id: id.bytes, error))
        case .toolCall(let call):
            if let refusal = overload(call.id, method: "tools/call", adding: call.id.byteCount + call.messageBytes) {
                actions.sendClient(refusal.reply)
                actions.log(refusal.log)
            } else if admits(.toolCall(call), into: &actions) {
                route(call, now: now, into: &actions)
            }
        case .request(let id, let method, _):
            if let refusal = overload(id, method: method, adding: id.byteCount + envelope.span.count) {
                actions.sendClient(refusal.reply)
                actions.log(refusal.log)
                return
            }
            if isInUse(id) {
                actions.sendClient(Reply.error(id: id.bytes, .idInUse(id)))
                return
            }
            let params = HostLines.params(envelope, in: line, maxDepth: maxDepth)
            if admits(.request(id, method: method, params: params), into: &actions) {
                request(id, method: method, params: params, now: now, into: &actions)
            }
        case .toolCallNotification:
            actions.log(JSONRPCError.callNotificationLog)
        case .passThrough, .uninspectedToolCall, .response:
            break  // not produced for requests read with calls inspected
        }
    }

    /// A request other than `tools/call`.
    mutating func request(_ id: RequestID, method: String, params: JSONObject?, now: Int64, into actions: inout HostActions) {
        switch ProtocolName(method) {
        case "initialize":
            initialize(id, params: params, now: now, into: &actions)
            return
        case "ping":
            actions.sendClient(clientResult(id: id, method: method, [:]))
            return
        case "server/discover":
            discover(id, into: &actions)
            return
        default:
            break
        }
        guard isInitialized else {
            actions.sendClient(Reply.error(id: id.bytes, JSONRPCError(
                .invalidRequest, "Invalid Request: \(method) before initialize; Tollgate aggregates several servers and needs the initialize handshake first")))
            return
        }
        switch ProtocolName(method) {
        case "tools/list":
            if params?["cursor"] != nil {
                actions.sendClient(Reply.error(id: id.bytes, JSONRPCError(.invalidParams, "Invalid params: unknown cursor (Tollgate lists every tool in one page)")))
            } else if isListing {
                waiting.lists.append(id)
            } else {
                actions.sendClient(toolList(id: id))
            }
        case "logging/setLevel":
            // logging/setLevel is gone from 2026-07-28: only 2025-era children get it.
            for index in children.indices where children[index].phase == .ready && children[index].era == .session && children[index].capabilities["logging"] != nil {
                let sent = ids.forward(to: index, clientID: nil, purpose: .own(method: method))
                actions.send(Reply.request(id: sent.id.bytes, method: method, params: childParams(params, for: index).map(JSONValue.object)), toChild: index)
            }
            actions.sendClient(clientResult(id: id, method: method, [:]))
        case "resources/list", "resources/templates/list", "prompts/list":
            catalogRequest(id, method: method, params: params, into: &actions)
        case "resources/read", "resources/subscribe", "resources/unsubscribe", "prompts/get", "completion/complete":
            routeCatalogRequest(id, method: method, params: params, into: &actions)
        default:
            actions.sendClient(Reply.error(id: id.bytes, JSONRPCError(
                .methodNotFound, "Method not found: \(method) (Tollgate aggregates the tools, resources and prompts of several servers; it does not pass \(method) on)")))
        }
    }

    // MARK: - Tool calls

    /// Decides a call by the gate, then routes it to the child owning its exposed name.
    mutating func route(_ call: ToolCall, now: Int64, into actions: inout HostActions) {
        if isInUse(call.id) {
            actions.sendClient(Reply.error(id: call.id.bytes, .idInUse(call.id)))
            return
        }
        guard isInitialized else {
            actions.sendClient(Reply.error(id: call.id.bytes, JSONRPCError(.invalidRequest, "Invalid Request: tools/call before initialize")))
            return
        }
        if resumesParkedCall(call, now: now, into: &actions) { return }
        let verdict = gate.decide(call)
        if usesTimers { scheduleGateTick(now: now) }
        switch verdict {
        case .deny(let denial):
            actions.sendClient(Reply.result(id: call.id.bytes, denial.result(era: call.era)))
            actions.log(denial.logLine(tool: call.name))
        case .fail(let error):
            actions.sendClient(Reply.error(id: call.id.bytes, error))
        case .hold(let hold):
            holdForApproval(call, hold, now: now, into: &actions)
        case .forward:
            forward(call, now: now, into: &actions)
        }
    }

    /// Sends a call the gate let through to the child owning its exposed name, under the
    /// child's original tool name and a gate-owned id.
    mutating func forward(_ call: ToolCall, now: Int64, into actions: inout HostActions) {
        guard let (child, tool) = namespace.route(call.name, in: union) else {
            settle(call, outcome: .error(code: JSONRPCError.Code.invalidParams.rawValue))
            actions.sendClient(Reply.error(id: call.id.bytes, JSONRPCError(.invalidParams, "Unknown tool: \(call.name)")))
            return
        }
        if children[child].isInitializing {
            waiting.forStart[child, default: []].append(call)
            return
        }
        if let reason = children[child].unavailableReason {
            settle(call, outcome: .serverGone)
            actions.sendClient(PendingRequest(clientID: call.id, purpose: .toolCall(call)).unansweredReply(because: reason))
            return
        }
        var params = call.params
        params["name"] = .string(tool)
        params = childParams(params, for: child) ?? params
        send(call, params: params, progressToken: HostLines.progressToken(in: params), toChild: child, now: now, into: &actions)
    }

    /// Sends `call` to child `child` with `params` (as the child knows the tool) under a
    /// gate-owned id and progress token, with its timeout.
    mutating func send(_ call: ToolCall, params: JSONObject, progressToken: JSONValue?, toChild child: Int, now: Int64, into actions: inout HostActions) {
        var params = params
        let sent = ids.forward(to: child, clientID: call.id, purpose: .toolCall(call), progressToken: progressToken, bytes: call.messageBytes)
        if let token = sent.progressToken { params = HostLines.replacingProgressToken(in: params, with: token) }
        var line: [UInt8] = []
        call.writeRequest(to: &line, id: sent.id, params: params)
        line.append(0x0A)
        actions.send(call: line, id: call.id, sentAs: sent.id, toChild: child)
        if usesTimers, let timeout = gate.timeout(for: call) {
            callTimeouts[sent.id] = timeout
            timers.set(.request(sent.id), at: now + timeout.milliseconds)
        }
    }

    /// Tells the gate how a call it let through ended.
    mutating func settle(_ call: ToolCall, outcome: CallOutcome) {
        if gate.observesOutcomes { _ = gate.callCompleted(call, outcome: outcome, result: nil) }
    }
}
