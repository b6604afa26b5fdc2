/// The relay's state machine for one client and one server: it keeps the pending table, asks
/// the gate about tool calls, and returns ``RelayActions``. No I/O happens here.
///
/// Reading a line (``ClientLine/read(_:maxDepth:)``, ``ServerLine/read(_:maxDepth:)``) needs no
/// state and is done outside the session's lock; only the decision is taken inside it.
public struct RelaySession: RuntimeSession {
    /// The gate consulted for tool calls and tool lists.
    public var gate: any Gate
    /// The requests the server has yet to answer.
    public internal(set) var pending = PendingTable()
    /// Why the server can no longer answer, once it cannot.
    public internal(set) var serverGoneReason: String?
    /// The nesting limit for every message read.
    public let maxDepth: Int
    /// Whether the gate uses timers; when not, the session never schedules one and the I/O layer
    /// need not read the clock (pass `now: 0`).
    public let usesTimers: Bool
    /// What the session waits for, by deadline (monotonic milliseconds).
    public internal(set) var timers = DeadlineTable()
    /// Calls held for approval and Tollgate's own requests to the client.
    public var approvals = ApprovalState()
    /// Whether the gate may hold calls for approval (then `initialize` is read for the client's
    /// capabilities and client responses are checked for answers to Tollgate's requests).
    public let holdsCalls: Bool
    /// Whether the gate caps sampling (then server requests and client responses are read).
    public let capsSampling: Bool
    /// The server's sampling requests forwarded to the client, by the server's id (its own id
    /// space, apart from the client's requests in ``pending``).
    public internal(set) var samplingGrants: [RequestID: SamplingGrant] = [:]
    /// The verdicts on the server's sampling requests of the line being decided.
    var samplingAdmissions = SamplingAdmissions()
    /// The server's requests waiting for the client's answer.
    var serverRequests = ServerRequests()
    /// The bounds on what the client and the server can make the session keep.
    public let limits: PeerLimits

    /// A session deciding by `gate`. A `reloadable` session may get another gate later
    /// (``reload(with:)``), so it reads what any manifest's gate may need (the clock, the client's
    /// capabilities, sampling traffic) from the start.
    public init(gate: any Gate = PassThroughGate(), maxDepth: Int = JSONScanner.defaultMaxDepth, reloadable: Bool = false,
                limits: PeerLimits = .standard) {
        self.gate = gate
        self.limits = limits
        self.maxDepth = maxDepth
        self.usesTimers = gate.usesTimers || reloadable
        self.holdsCalls = gate.holdsCalls || reloadable
        self.capsSampling = gate.capsSampling || reloadable
    }

    /// Puts `newGate` (a reloaded manifest's) in place of the gate: calls decided so far finish
    /// as decided, the next one is decided by the new gate. Returns the line for the client
    /// (`notifications/tools/list_changed` when it has listed the tools: the new policy may show
    /// others) and a warning when the servers section changed. Throws, keeping the old gate,
    /// when the new one cannot take over.
    public mutating func reload(with newGate: PolicyGate) throws(ReloadRefusal) -> RelayActions {
        let handover = try gate.handOver(to: newGate)
        gate = handover.gate
        var actions = RelayActions()
        if handover.toolsWereListed { actions.reply = Reply.notification(method: "notifications/tools/list_changed", params: nil) }
        if handover.serversChanged {
            // One server is started once: a reload cannot change it.
            actions.log = "reload: the servers section changed; with one server Tollgate keeps relaying the one it started (restart it to change the server)"
        }
        return actions
    }

    // MARK: - Client to server

    /// Reads and decides one line from the client (without its newline). `now` is the monotonic
    /// time in milliseconds (read by the caller; only used when ``usesTimers``).
    public mutating func clientLine(_ line: UnsafeRawBufferPointer, now: Int64 = 0) -> RelayActions {
        decide(ClientLine.read(line, maxDepth: maxDepth, inspectingCalls: gate.inspectsCalls, readingResponses: capsSampling), in: line, now: now)
    }

    /// Decides a line already read. `line` is the line the messages were read from; `now` as in
    /// ``clientLine(_:now:)``.
    public mutating func decide(_ read: ClientLine, in line: UnsafeRawBufferPointer, now: Int64 = 0) -> RelayActions {
        switch read {
        case .blank:
            return RelayActions()
        case .malformed(let id, let error):
            let (error, log) = JSONRPCError.malformed(error)
            return RelayActions(reply: Reply.error(id: id, error), log: log)
        case .single(let message):
            if case .request(_, let method, let span) = message, method.hasSameScalars(as: "initialize") {
                let request = try? JSONValue.parse(UnsafeRawBufferPointer(rebasing: line[span]), maxDepth: maxDepth)
                gate.clientIdentified(request?["params"]?["clientInfo"])
            }
            if holdsCalls, let actions = approvalTraffic(message, in: line, now: now) { return actions }
            switch decide(message, in: line, now: now) {
            case .forwardOriginal: return .passThrough
            case .forwardBytes(let bytes, let log): return RelayActions(forward: .bytes(bytes + [0x0A]), log: log)
            case .forwardCall(let call): return RelayActions(forward: .call(call))
            case .reply(let bytes, let log): return RelayActions(reply: bytes + [0x0A], log: log)
            case .drop(let log): return RelayActions(log: log)
            case .held(let actions): return actions
            }
        case .batch(let messages, let spans):
            return decideBatch(messages, spans: spans, in: line, now: now)
        }
    }

    /// What happens to one message (alone or in a batch).
    enum MessageAction: Equatable {
        case forwardOriginal
        /// The message's own bytes changed (an id respelled), without its newline.
        case forwardBytes([UInt8], log: String?)
        case forwardCall(ToolCall)
        case reply([UInt8], log: String?)
        case drop(String)
        /// Held for approval: what to do now (ask the client, start an approver).
        case held(RelayActions)
    }

    mutating func decide(_ message: ClientMessage, in line: UnsafeRawBufferPointer, now: Int64) -> MessageAction {
        switch message {
        case .invalid(let id, let error, let log):
            return .reply(Self.trimmed(Reply.error(id: id, error)), log: log)
        case .toolCallNotification:
            return .drop(JSONRPCError.callNotificationLog)
        case .passThrough:
            return .forwardOriginal
        case .response(let id, let idSpan, let tokens, let span):
            guard let id, let sent = serverRequests.answer(id) else {
                let shown = idSpan.map { String(decoding: UnsafeRawBufferPointer(rebasing: line[$0]), as: UTF8.self) } ?? "null"
                return .drop("dropped a response from the client to id \(shown), which no server request in flight has")
            }
            // An equal id spelled otherwise: the server gets its own id bytes.
            let respelled = idSpan.flatMap { Self.respelled(line, span: span, idSpan: $0, as: sent) }
            if let grant = samplingGrants.removeValue(forKey: id) { gate.samplingAnswered(grant, tokens: tokens) }
            if let respelled { return .forwardBytes(respelled, log: nil) }
            return .forwardOriginal
        case .malformedToolCall(let id, let error):
            return .reply(Self.trimmed(Reply.error(id: id.bytes, error)), log: nil)
        case .request(let id, let method, let span):
            let purpose: PendingRequest.Purpose = method.hasSameScalars(as: "tools/list")
                ? .toolList(cursor: gate.inspectsToolLists ? Self.listCursor(in: UnsafeRawBufferPointer(rebasing: line[span]), maxDepth: maxDepth) : nil)
                : .other(method)
            let request = PendingRequest(clientID: id, purpose: purpose)
            if let refusal = refusal(of: request) { return refusal }
            pending.insert(request)
            return .forwardOriginal
        case .uninspectedToolCall(let id, let header, _):
            let request = PendingRequest(clientID: id, purpose: .uninspectedToolCall(header))
            if let refusal = refusal(of: request) { return refusal }
            pending.insert(request)
            return .forwardOriginal
        case .toolCall(let call):
            let request = PendingRequest(clientID: call.id, purpose: .toolCall(call))
            if let refusal = refusal(of: request) { return refusal }
            switch gate.decide(call) {
            case .forward:
                var request = request
                if usesTimers { request.timeout = scheduleForwarded(call, now: now) }
                pending.insert(request)
                return .forwardCall(call)
            case .deny(let denial):
                if usesTimers { scheduleGateTick(now: now) }
                return .reply(Self.trimmed(Reply.result(id: call.id.bytes, denial.result(era: call.era))),
                              log: denial.logLine(tool: call.name))
            case .fail(let error):
                return .reply(Self.trimmed(Reply.error(id: call.id.bytes, error)), log: nil)
            case .hold(let hold):
                return holdForApproval(call, hold, now: now)
            }
        }
    }

    /// The client's requests in flight: forwarded and not answered, held for approval, or timed
    /// out with their ids reserved for a late answer.
    public var requestsInFlight: Int { pending.count + approvals.held.count + timers.lateResponses }

    /// What keeping the requests in flight costs (see ``PeerLimits/requestBytesInFlight``).
    public var requestBytesInFlight: Int { pending.bytes + approvals.heldBytes + timers.lateResponseBytes }

    /// A request that cannot go on: its id is in flight already, the server is gone, or too
    /// many requests are in flight (``PeerLimits``).
    private func refusal(of request: PendingRequest) -> MessageAction? {
        if pending.contains(request.clientID) || pending.hasDoubleTwin(of: request.clientID)
            || (usesTimers && timers[.lateResponse(request.clientID)] != nil)
            || (holdsCalls && approvals.held[request.clientID] != nil) {
            return .reply(Self.trimmed(Reply.error(id: request.clientID.bytes, .idInUse(request.clientID))), log: nil)
        }
        if let reason = serverGoneReason {
            return .reply(Self.trimmed(request.unansweredReply(because: reason)), log: nil)
        }
        if let error = limits.refusal(inFlight: requestsInFlight, bytes: requestBytesInFlight, adding: request.retainedBytes) {
            return .reply(Self.trimmed(Reply.error(id: request.clientID.bytes, error)),
                          log: JSONRPCError.refusalLog(request.method, request: request.clientID, error))
        }
        return nil
    }

    /// A batch (2025-03-26): every element is decided like a single message. Elements forwarded
    /// travel on as one batch; Tollgate's own answers go back at once as a batch of their own.
    private mutating func decideBatch(_ messages: [ClientMessage], spans: [Range<Int>], in line: UnsafeRawBufferPointer, now: Int64) -> RelayActions {
        guard !messages.isEmpty else {
            return RelayActions(reply: Reply.error(id: nil, JSONRPCError(.invalidRequest, "Invalid Request: empty batch")))
        }
        var batch = BatchOutcome()
        for (message, span) in zip(messages, spans) {
            switch decide(message, in: line, now: now) {
            case .forwardOriginal: batch.keep(Array(line[span]))
            case .forwardBytes(let bytes, let log): batch.forward(bytes); batch.log(log)
            case .forwardCall(let call): batch.forward(call)
            case .reply(let bytes, let log): batch.reply(bytes); batch.log(log)
            case .drop(let log): batch.drop(); batch.log(log)
            case .held(let actions):
                // Asking inside a batch: the request goes back with Tollgate's own answers.
                if let reply = actions.reply { batch.reply(reply) } else { batch.drop() }
                batch.start(actions.approvers)
                batch.log(actions.log)
            }
        }
        return batch.actions
    }

    /// The `params.cursor` of a list request, as compact JSON; nil when it has none.
    static func listCursor(in message: UnsafeRawBufferPointer, maxDepth: Int) -> [UInt8]? {
        guard case .object(let request)? = try? JSONValue.parse(message, maxDepth: maxDepth),
            let cursor = request["params"]?["cursor"], cursor != .null
        else { return nil }
        return cursor.serialized
    }

    static func array(of elements: [[UInt8]]) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        for (index, element) in elements.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: element)
        }
        bytes.append(contentsOf: [UInt8(ascii: "]"), 0x0A])
        return bytes
    }

    /// The bytes of the message at `span` with `id`'s exact bytes in place of the id at `idSpan`,
    /// when the sender spelled an equal id differently (`"a\u0062"` for `"ab"`, `7.0` for `7`);
    /// nil when the bytes are the same.
    static func respelled(_ line: UnsafeRawBufferPointer, span: Range<Int>, idSpan: Range<Int>, as id: RequestID) -> [UInt8]? {
        if id.withBytes({ $0.elementsEqual(UnsafeRawBufferPointer(rebasing: line[idSpan])) }) { return nil }
        return Array(line[span.lowerBound..<idSpan.lowerBound]) + id.bytes + Array(line[idSpan.upperBound..<span.upperBound])
    }

    static func trimmed(_ line: [UInt8]) -> [UInt8] {
        line.last == 0x0A ? Array(line.dropLast()) : line
    }
}
