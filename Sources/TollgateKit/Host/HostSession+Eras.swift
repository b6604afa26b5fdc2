/// The two eras of MCP around an aggregating gate. The client's first request settles its era:
/// `initialize` opens a 2025-era session; a request carrying the 2026-07-28 `_meta` version makes
/// it a stateless client, for which Tollgate initializes the children itself (with no client
/// capabilities, since a stateless client takes no requests from servers), holds their
/// sessions, answers `server/discover`, and adds `resultType` (and caching hints) to results; a
/// child's requests reach it as `input_required` results (HostSession+InputRequests).
///
/// Each child's era is settled at start-up: it is sent `initialize`; one that refuses it is asked
/// `server/discover` and, offering 2026-07-28, is spoken to statelessly (every request carries
/// the version in `_meta`; its results lose the stateless members on their way to a 2025-era
/// client). Initialize first keeps 2025-era and dual-era servers on the session they know (so
/// sampling and elicitation work for 2025-era clients) and never waits on a probe a 2025-era
/// server leaves unanswered. The rewriting itself is ``EraTranslation``'s.
extension HostSession {
    /// A stateless client's request that waits for the children to be initialized.
    enum DeferredRequest: Sendable {
        case request(RequestID, method: String, params: JSONObject?)
        case toolCall(ToolCall)

        var id: RequestID {
            switch self {
            case .request(let id, _, _): id
            case .toolCall(let call): call.id
            }
        }

        /// What keeping it costs: its id, and its message (a call) or its params.
        var retainedBytes: Int {
            switch self {
            case .request(let id, let method, let params):
                id.byteCount + method.utf8.count + (params.map { JSONValue.object($0).approximateSize(limit: .max) } ?? 0)
            case .toolCall(let call): call.id.byteCount + call.messageBytes
            }
        }
    }

    /// Every version Tollgate speaks with a client, oldest first.
    static var allVersions: [String] { supportedVersions + EraTranslation.statelessVersions }

    /// Tollgate's identity as a client of its children, when the client gave none.
    static var ownClientInfo: JSONValue { ["name": "tollgate", "version": .string(Usage.version)] }

    /// Whether the client is told of tool list changes: a 2025-era client once initialized (a
    /// stateless client hears of them only on a `subscriptions/listen` stream, which Tollgate
    /// does not offer; its lists are stale at once instead, `ttlMs: 0`).
    var takesListChanges: Bool { isInitialized && clientEra != .stateless }

    // MARK: - Client requests

    /// Settles the client's era on its first request and checks each request against it. True:
    /// the request is handled now; false: it was answered (refused) or waits for the children.
    mutating func admits(_ pending: DeferredRequest, into actions: inout HostActions) -> Bool {
        let (id, method, params): (RequestID, String, JSONObject?) = switch pending {
        case .request(let id, let method, let params): (id, method, params)
        case .toolCall(let call): (call.id, "tools/call", call.params)
        }
        if method.hasSameScalars(as: "initialize") {
            guard clientEra != .stateless else {
                // As the official SDK's stateless server does: the error names the versions served.
                actions.sendClient(Reply.error(id: id.bytes, EraTranslation.unsupportedVersion(
                    params?["protocolVersion"]?.stringValue, supported: EraTranslation.statelessVersions)))
                return false
            }
            clientEra = .session
            return true
        }
        guard EraTranslation.hasStatelessEnvelope(params) else {
            guard clientEra == .stateless else { return true }
            actions.sendClient(Reply.error(id: id.bytes, JSONRPCError(.invalidParams,
                "Invalid params: \(method) lacks params._meta[\"\(ProtocolEra.versionMetaKey)\"]; this client speaks 2026-07-28, where every request carries it")))
            return false
        }
        if clientEra == .session {
            actions.sendClient(Reply.error(id: id.bytes, JSONRPCError(.invalidRequest,
                "Invalid Request: this client opened a 2025-era session with initialize; requests carrying the 2026-07-28 _meta envelope are not accepted on it")))
            return false
        }
        if let error = EraTranslation.envelopeError(params, supported: Self.allVersions) {
            actions.sendClient(Reply.error(id: id.bytes, error))
            return false
        }
        if clientEra == nil { startForStatelessClient(meta: params?["_meta"]?.objectValue, into: &actions) }
        guard isInitialized else {
            if isInUse(id) {
                actions.sendClient(Reply.error(id: id.bytes, .idInUse(id)))
            } else {
                waiting.defer(pending)
            }
            return false
        }
        return true
    }

    /// The first stateless request: each child is initialized on the client's behalf, with the
    /// capabilities that request declared (a child's sampling, elicitation and roots requests then
    /// ride on the client's calls, HostSession+InputRequests).
    private mutating func startForStatelessClient(meta: JSONObject?, into actions: inout HostActions) {
        clientEra = .stateless
        clientInfo = meta?[EraTranslation.clientInfoKey] ?? Self.ownClientInfo
        clientParams = JSONObject()
        clientParams["protocolVersion"] = .string(Self.supportedVersions[Self.supportedVersions.count - 1])
        clientParams["capabilities"] = .object(meta?[EraTranslation.clientCapabilitiesKey]?.objectValue ?? JSONObject())
        clientParams["clientInfo"] = clientInfo
        initializeChildren(now: lastNow, into: &actions)
        answerInitializeIfReady(into: &actions)  // at once when no child can be initialized
    }

    /// Every child answered (or failed): the stateless client's waiting requests are handled.
    mutating func statelessChildrenSettled(into actions: inout HostActions) {
        guard !isInitialized else { return }
        isInitialized = true
        for pending in waiting.takeDeferred() {
            switch pending {
            case .request(let id, let method, let params): request(id, method: method, params: params, now: lastNow, into: &actions)
            case .toolCall(let call): route(call, now: lastNow, into: &actions)
            }
        }
    }

    /// The answer to a stateless client's `server/discover`: the versions Tollgate speaks, what it
    /// aggregates, its children's instructions.
    mutating func discover(_ id: RequestID, into actions: inout HostActions) {
        guard clientEra == .stateless else {
            actions.sendClient(Reply.error(id: id.bytes, EraTranslation.envelopeError(nil, supported: Self.allVersions)
                ?? JSONRPCError(.invalidParams, "Invalid params: server/discover needs the 2026-07-28 _meta envelope")))
            return
        }
        var result = JSONObject()
        result["supportedVersions"] = .array(Self.allVersions.reversed().map(JSONValue.string))
        result["capabilities"] = ["tools": [:]]
        if let instructions = mergedInstructions { result["instructions"] = .string(instructions) }
        result["_meta"] = [EraTranslation.serverInfoKey: Self.serverInfo]
        actions.sendClient(clientResult(id: id, method: "server/discover", result))
    }

    // MARK: - Children's eras

    /// Child `child` refused `initialize`: asks it `server/discover` as a stateless client would.
    mutating func startDiscovery(of child: Int, into actions: inout HostActions) {
        children[child].phase = .discovering
        let sent = ids.forward(to: child, clientID: nil, purpose: .discover)
        let params: JSONObject = ["_meta": .object(EraTranslation.envelope(clientInfo: clientInfo ?? Self.ownClientInfo))]
        actions.send(Reply.request(id: sent.id.bytes, method: "server/discover", params: .object(params)), toChild: child)
        if startTimeouts.indices.contains(child) { timers.set(.request(sent.id), at: lastNow + startTimeouts[child]) }
    }

    /// Child `child` answered `server/discover`: offering a stateless version Tollgate speaks, it
    /// becomes ready as a stateless server (and is listed); else it failed.
    mutating func childDiscovered(_ child: Int, result: JSONObject?, error: String?, into actions: inout HostActions) {
        guard children[child].phase == .discovering else { return }
        let offered = result?["supportedVersions"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if let result, let version = EraTranslation.statelessVersions.last(where: { version in offered.contains { $0.hasSameScalars(as: version) } }) {
            becomeReady(child, era: .stateless, version: version, result: result, into: &actions)
        } else {
            let why = "it refused initialize, and server/discover " + (error.map { "failed: \($0)" }
                ?? "offers none of \(EraTranslation.statelessVersions) (it offers \(offered))")
            failedToInitialize(child, because: why, into: &actions)
        }
        releaseCallsWaiting(for: child, into: &actions)
        answerInitializeIfReady(into: &actions)
    }

    /// A request's params as child `child` must read them (the stateless envelope stripped for a
    /// 2025-era child, added for a stateless one).
    func childParams(_ params: JSONObject?, for child: Int) -> JSONObject? {
        guard children[child].era == .stateless else {
            return clientEra == .stateless ? EraTranslation.params(params, for: .session, envelope: JSONObject()) : params
        }
        return EraTranslation.params(params, for: .stateless, envelope: EraTranslation.envelope(clientInfo: clientInfo ?? Self.ownClientInfo))
    }

    // MARK: - Results for the client

    /// A result Tollgate built for the client's `method` request, in the client's era.
    func clientResult(id: RequestID, method: String, _ result: JSONObject) -> [UInt8] {
        Reply.result(id: id.bytes, .object(clientEra == .stateless ? EraTranslation.statelessResult(result, method: method) : result))
    }

    /// A child's raw answer to the client's `method` request, in the client's era: rewritten only
    /// where the child's era differs and a member must be added or removed.
    func clientResponse(id: RequestID, method: String, from child: Int, result: Range<Int>?, error: Range<Int>?,
                        in line: UnsafeRawBufferPointer) -> [UInt8] {
        guard let result, (clientEra == .stateless) != (children[child].era == .stateless) else {
            return HostLines.response(id: id, result: result, error: error, in: line)
        }
        let raw = UnsafeRawBufferPointer(rebasing: line[result])
        if clientEra == .stateless {
            let translated = EraTranslation.statelessResult(raw, method: method, maxDepth: maxDepth)
            return translated.map { HostLines.response(id: id, rawResult: $0) } ?? HostLines.response(id: id, result: result, error: nil, in: line)
        }
        switch EraTranslation.sessionResult(raw, maxDepth: maxDepth) {
        case .unchanged:
            return HostLines.response(id: id, result: result, error: nil, in: line)
        case .rewritten(let bytes):
            return HostLines.response(id: id, rawResult: bytes)
        case .inputRequired:
            return Reply.error(id: id.bytes, JSONRPCError(.internalError,
                "server \(children[child].name) needs more input to answer \(method) (resultType input_required), which Tollgate cannot relay to a 2025-era client yet"))
        }
    }
}
