/// The client's responses (to requests children made of it) and notifications: each is routed
/// to the one child it concerns, with the child's own ids and tokens, or dropped when Tollgate
/// does not know what it refers to.
extension HostSession {
    /// A response of the client: to the child whose request Tollgate forwarded under this id.
    mutating func clientResponse(_ envelope: MessageEnvelope, in line: UnsafeRawBufferPointer, now: Int64, into actions: inout HostActions) {
        let id = envelope.id.flatMap { RequestID.response(line, $0) }
        if let id, clientAnsweredApproval(id, in: line, now: now, into: &actions) { return }
        guard let id, let request = ids.clientAnswer(id: id) else {
            let shown = envelope.id.map { String(decoding: UnsafeRawBufferPointer(rebasing: line[$0]), as: UTF8.self) } ?? "?"
            actions.log("dropped a response from the client to id \(shown), which Tollgate did not send it")
            return
        }
        if let grant = samplingGrants.removeValue(forKey: id) {
            let tokens = SamplingRequest.answeredTokens(result: envelope.result, in: line, maxDepth: maxDepth)
            gate.samplingAnswered(grant, tokens: tokens)
        }
        if !waiting.inputRounds.isEmpty {
            let result = envelope.result.flatMap { try? JSONValue.parse(UnsafeRawBufferPointer(rebasing: line[$0]), maxDepth: maxDepth) }
            let error = envelope.error.map { range in
                (try? JSONValue.parse(UnsafeRawBufferPointer(rebasing: line[range]), maxDepth: maxDepth))?["message"]?.stringValue ?? "an error"
            }
            if takesInputAnswer(request.childID, result: result, error: error, now: lastNow, into: &actions) { return }
        }
        guard children[request.child].phase == .ready else {
            actions.log("dropped the client's answer to a request of server \(children[request.child].name), which is gone")
            return
        }
        actions.send(HostLines.response(id: request.childID, result: envelope.result, error: envelope.error, in: line), toChild: request.child)
    }

    /// A notification of the client.
    mutating func clientNotification(_ envelope: MessageEnvelope, in line: UnsafeRawBufferPointer, into actions: inout HostActions) {
        switch ProtocolName(envelope.method ?? "") {
        case "notifications/initialized":
            break  // Tollgate sent each child its own when the child answered initialize
        case "notifications/cancelled":
            guard var params = HostLines.params(envelope, in: line, maxDepth: maxDepth), let clientID = RequestID.named(by: params["requestId"]) else {
                actions.log("dropped the client's cancellation without a usable requestId")
                return
            }
            if clientCancelledHeldCall(clientID, reason: params["reason"]?.stringValue, into: &actions) { return }
            guard let target = ids.cancellation(ofClientID: clientID) else {
                actions.log("dropped the client's cancellation of a request not in flight")
                return
            }
            params["requestId"] = HostLines.value(of: target.id)
            actions.send(Reply.notification(method: "notifications/cancelled", params: .object(params)), toChild: target.child)
        case "notifications/progress":
            guard var params = HostLines.params(envelope, in: line, maxDepth: maxDepth), let token = params["progressToken"],
                let target = ids.progressFromClient(token: token)
            else {
                actions.log("dropped a progress notification from the client with a token Tollgate did not give it")
                return
            }
            params["progressToken"] = target.token
            actions.send(Reply.notification(method: "notifications/progress", params: .object(params)), toChild: target.child)
        case "notifications/roots/list_changed":
            var bytes = Array(UnsafeRawBufferPointer(rebasing: line[envelope.span]))
            bytes.append(0x0A)
            // Gone from 2026-07-28: only 2025-era children get it.
            for index in children.indices where children[index].phase == .ready && children[index].era == .session { actions.send(bytes, toChild: index) }
        default:
            actions.log("dropped the client's \(envelope.method ?? "?") notification (no server it concerns)")
        }
    }
}
