/// Lines from the children: responses mapped back to the client's ids (or to Tollgate's own
/// handshake and listings), requests forwarded to the client under gate-owned ids,
/// notifications with their ids and tokens mapped, and a child's end.
extension HostSession {
    /// Reads and decides one line from child `child` (without its newline) whose sampling
    /// requests were admitted (``SamplingAdmissions``); `now` as in ``clientLine(_:now:)``.
    public mutating func childLine(_ child: Int, _ line: UnsafeRawBufferPointer, admitted: SamplingAdmissions, now: Int64 = 0) -> HostActions {
        samplingAdmissions = admitted
        defer {
            for grant in samplingAdmissions.takeUnused() { gate.samplingAnswered(grant, tokens: 0) }
        }
        return childLine(child, line, now: now)
    }

    /// Reads and decides one line from child `child` whose sampling requests were not admitted
    /// (none are forwarded: see ``childLine(_:_:admitted:now:)``).
    public mutating func childLine(_ child: Int, _ line: UnsafeRawBufferPointer, now: Int64 = 0) -> HostActions {
        var actions = HostActions()
        lastNow = now
        let name = children[child].name
        switch MessageEnvelope.scan(line, maxDepth: maxDepth) {
        case .failure(let malformed):
            if case .empty = malformed.error.reason { return actions }
            actions.log("dropped a malformed message from server \(name): \(malformed.error)")
            if let range = malformed.id, let id = RequestID.response(line, range),
                case .forwarded(let entry) = ids.answer(from: child, id: id)
            {
                unanswered(entry, because: "server \(name)'s response was not valid JSON (\(malformed.error))", into: &actions)
            }
        case .success(.single(let envelope)):
            childMessage(child, envelope, in: line, now: now, into: &actions)
        case .success(.batch(let envelopes)):
            for envelope in envelopes { childMessage(child, envelope, in: line, now: now, into: &actions) }
        }
        return actions
    }

    private mutating func childMessage(_ child: Int, _ envelope: MessageEnvelope, in line: UnsafeRawBufferPointer, now: Int64,
                                       into actions: inout HostActions) {
        switch envelope.kind {
        case .invalid(let why):
            actions.log("dropped an invalid message from server \(children[child].name): \(why)")
        case .response:
            childResponse(child, envelope, in: line, now: now, into: &actions)
        case .request:
            childRequest(child, envelope, in: line, into: &actions)
        case .notification:
            childNotification(child, envelope, in: line, into: &actions)
        }
    }

    private mutating func childResponse(_ child: Int, _ envelope: MessageEnvelope, in line: UnsafeRawBufferPointer, now: Int64,
                                        into actions: inout HostActions) {
        let id = envelope.id.flatMap { RequestID.response(line, $0) }
        guard let id, case .forwarded(let entry) = ids.answer(from: child, id: id) else {
            if usesTimers, let id, timers.remove(.lateResponse(id)) != nil {
                actions.log("dropped the late response of server \(children[child].name) to request \(id), which had timed out")
                gate.note(.droppedResponse)
                return
            }
            let shown = envelope.id.map { String(decoding: UnsafeRawBufferPointer(rebasing: line[$0]), as: UTF8.self) } ?? "?"
            actions.log("dropped a response from server \(children[child].name) to id \(shown), which Tollgate did not send it")
            gate.note(.droppedResponse)
            return
        }
        // Parsed only when something reads it: a tool call's result usually passes as its bytes.
        lazy var result = envelope.result.flatMap { range in
            (try? JSONValue.parse(UnsafeRawBufferPointer(rebasing: line[range]), maxDepth: maxDepth))?.objectValue
        }
        let error = envelope.error.map { range in
            let error = try? JSONValue.parse(UnsafeRawBufferPointer(rebasing: line[range]), maxDepth: maxDepth)
            return error?["message"]?.stringValue ?? String(decoding: UnsafeRawBufferPointer(rebasing: line[range]), as: UTF8.self)
        }
        switch entry.purpose {
        case .initialize:
            if envelope.error != nil, children[child].phase == .initializing {
                startDiscovery(of: child, into: &actions)  // perhaps a stateless (2026-07-28) server
            } else {
                childInitialized(child, result: result, error: error ?? (result == nil ? "its result is not an object" : nil), into: &actions)
            }
        case .discover:
            childDiscovered(child, result: result, error: error ?? (result == nil ? "its result is not an object" : nil), into: &actions)
        case .listTools:
            childListed(child, result: result, error: error, bytes: line.count, into: &actions)
        case .listCatalog(let catalog):
            catalogListed(child, catalog, result: result, error: error, bytes: line.count, into: &actions)
        case .own(let method):
            if let error { actions.log("server \(children[child].name) answered \(method) with an error: \(error)") }
        case .clientRequest(let method):
            if let clientID = entry.clientID {
                actions.sendClient(clientResponse(id: clientID, method: method, from: child, result: envelope.result, error: envelope.error, in: line))
            }
        case .toolCall(let call):
            if usesTimers { stopTimer(of: entry, now: now) }
            if children[entry.child].era == .stateless, asksSessionClient(entry, call, result: result, now: now, into: &actions) { return }
            if !waiting.inputRounds.isEmpty { waiting.inputRounds[call.id] = nil }
            var replacement: JSONObject?
            if gate.observesOutcomes {
                let outcome = ServerLine.outcome(result: envelope.result, error: envelope.error, in: line)
                replacement = gate.callCompleted(call, outcome: outcome, result: gate.inspectsResults ? result : nil)
            }
            if waiting.parkedByGate[entry.gateID] != nil {
                // Answered while the client answers its input requests: kept for the client's retry.
                finishParked(entry.gateID, replacement.map { .replaced($0) } ?? .answered(line: Array(line), result: envelope.result, error: envelope.error))
            } else if let replacement {
                actions.sendClient(clientResult(id: call.id, method: "tools/call", replacement))
            } else {
                actions.sendClient(clientResponse(id: call.id, method: "tools/call", from: child, result: envelope.result, error: envelope.error, in: line))
            }
        }
    }

    /// A request of the child (sampling, elicitation, roots, ping): to the client, under a
    /// gate-owned id and progress token.
    private mutating func childRequest(_ child: Int, _ envelope: MessageEnvelope, in line: UnsafeRawBufferPointer, into actions: inout HostActions) {
        guard let childID = RequestID(envelope: envelope, in: line), let method = envelope.method else { return }
        guard !ids.isInFlight(child: child, childID: childID) else {
            actions.send(Reply.error(id: childID.bytes, .idInUse(childID)), toChild: child)
            return
        }
        var params = HostLines.params(envelope, in: line, maxDepth: maxDepth)
        if clientEra != .stateless, ids.clientBoundCount >= limits.serverRequestsInFlight
            || ids.clientBoundBytes + childID.byteCount + envelope.span.count > limits.serverRequestBytesInFlight
        {
            return refuse(childID, method: method, of: child, because: "\(ids.clientBoundCount) requests of the servers already wait for the client", into: &actions)
        }
        var grant: SamplingGrant?
        if method.hasSameScalars(as: "sampling/createMessage"), gate.capsSampling {
            // Sampling caps hold with several servers too: admitted before the line was decided,
            // settled on the client's answer (``clientResponse``).
            switch samplingAdmissions.take(childID) {
            case .refuse(let error, let log):
                actions.send(Reply.error(id: childID.bytes, error), toChild: child)
                actions.log("server \(children[child].name): \(log)")
                return
            case .forward(let granted):
                grant = granted
            }
        }
        if clientEra == .stateless { return askStatelessClient(child, childID, method: method, params: params, into: &actions) }
        let sent = ids.forwardToClient(from: child, childID: childID, progressToken: HostLines.progressToken(in: params))
        if let grant { samplingGrants[sent.id] = grant }
        if let token = sent.progressToken, let original = params { params = HostLines.replacingProgressToken(in: original, with: token) }
        actions.sendClient(Reply.request(id: sent.id.bytes, method: method, params: params.map(JSONValue.object)))
    }

    /// Answers a child's request with an error: Tollgate keeps no more of its kind (``PeerLimits``).
    func refuse(_ childID: RequestID, method: String, of child: Int, because reason: String, into actions: inout HostActions) {
        actions.send(Reply.error(id: childID.bytes, JSONRPCError(.internalError, "Tollgate: \(method) was not forwarded: \(reason)")), toChild: child)
        actions.log("refused \(method) from server \(children[child].name): \(reason)")
    }

    private mutating func childNotification(_ child: Int, _ envelope: MessageEnvelope, in line: UnsafeRawBufferPointer, into actions: inout HostActions) {
        let name = children[child].name
        switch ProtocolName(envelope.method ?? "") {
        case "notifications/tools/list_changed":
            toolsChanged(child, into: &actions)
        case "notifications/progress":
            guard var params = HostLines.params(envelope, in: line, maxDepth: maxDepth), let token = params["progressToken"],
                let original = ids.progressFromChild(child, token: token)
            else {
                actions.log("dropped a progress notification from server \(name) with a token Tollgate did not give it")
                return
            }
            params["progressToken"] = original
            actions.sendClient(Reply.notification(method: "notifications/progress", params: .object(params)))
        case "notifications/cancelled":
            guard var params = HostLines.params(envelope, in: line, maxDepth: maxDepth), let childID = RequestID.named(by: params["requestId"]),
                let id = ids.cancellation(fromChild: child, childID: childID)
            else {
                actions.log("dropped a cancellation from server \(name) of a request Tollgate does not know")
                return
            }
            samplingGrants[id] = nil  // its grant stays counted in full
            params["requestId"] = HostLines.value(of: id)
            actions.sendClient(Reply.notification(method: "notifications/cancelled", params: .object(params)))
        case "notifications/resources/list_changed", "notifications/prompts/list_changed", "notifications/resources/updated":
            catalogChanged(child, method: envelope.method ?? "", envelope, in: line, into: &actions)
        case "notifications/message" where clientEra == .stateless:
            break  // 2026-07-28: log messages only for requests that ask for a level, which 2025-era servers never see
        default:
            // Logging and other notifications carry no ids: they go to the client as they are.
            var bytes = Array(UnsafeRawBufferPointer(rebasing: line[envelope.span]))
            bytes.append(0x0A)
            actions.sendClient(bytes)
        }
    }

    // MARK: - A child's end

    /// Child `child` can no longer answer (its process ended, or never started): every request
    /// it owes gets its answer now, requests it made of the client are cancelled, its tools
    /// leave the list (the client is told) unless `keepListed` (while it restarts), and later
    /// calls to it are denied with `reason`.
    public mutating func childGone(_ child: Int, because reason: String, keepListed: Bool = false) -> HostActions {
        var actions = HostActions()
        let hadTools = !keepListed && !(children[child].tools ?? []).isEmpty
        children[child].phase = .gone(reason)
        if !keepListed { children[child].tools = nil }
        children[child].fetching = nil
        children[child].listAgain = false
        children[child].catalogs = [:]
        children[child].catalogPages = [:]
        let (forwarded, clientBound) = ids.removeAll(child: child)
        for entry in forwarded { unanswered(entry, because: "server \(children[child].name) \(reason) before answering", into: &actions) }
        for id in clientBound {
            samplingGrants[id] = nil  // its grant stays counted in full
            actions.sendClient(Reply.cancelled(requestID: id.bytes, reason: "server \(children[child].name) is gone"))
        }
        if !waiting.inputRounds.isEmpty { endInputRounds(of: child, because: "server \(children[child].name) \(reason)", into: &actions) }
        rebuildUnion(into: &actions)
        answerWaitingCatalogs(into: &actions)
        releaseCallsWaiting(for: child, into: &actions)
        if hadTools && takesListChanges { actions.sendClient(Reply.notification(method: "notifications/tools/list_changed", params: nil)) }
        answerInitializeIfReady(into: &actions)
        return actions
    }

    /// Child `child`'s response to `id` could not be read (too large): the request it answered
    /// gets its answer from Tollgate instead.
    public mutating func childResponseLost(_ child: Int, id: RequestID, because reason: String) -> HostActions {
        var actions = HostActions()
        if case .forwarded(let entry) = ids.answer(from: child, id: id) { unanswered(entry, because: reason, into: &actions) }
        return actions
    }

    /// Answers a request its child will never answer.
    private mutating func unanswered(_ entry: IDMap<HostPurpose>.Forwarded, because reason: String, into actions: inout HostActions) {
        if usesTimers { stopTimer(of: entry, now: nil) }
        switch entry.purpose {
        case .toolCall(let call):
            settle(call, outcome: .serverGone)
            if !waiting.inputRounds.isEmpty { waiting.inputRounds[call.id] = nil }
            if waiting.parkedByGate[entry.gateID] != nil { return finishParked(entry.gateID, .gone(reason)) }
            actions.sendClient(PendingRequest(clientID: call.id, purpose: .toolCall(call)).unansweredReply(because: reason))
        case .clientRequest(let method):
            if let clientID = entry.clientID {
                actions.sendClient(PendingRequest(clientID: clientID, purpose: .other(method)).unansweredReply(because: reason))
            }
        case .initialize:
            childInitialized(entry.child, result: nil, error: reason, into: &actions)
        case .discover:
            childDiscovered(entry.child, result: nil, error: reason, into: &actions)
        case .listTools:
            childListed(entry.child, result: nil, error: reason, into: &actions)
        case .listCatalog(let catalog):
            catalogListed(entry.child, catalog, result: nil, error: reason, into: &actions)
        case .own:
            break
        }
    }
}
