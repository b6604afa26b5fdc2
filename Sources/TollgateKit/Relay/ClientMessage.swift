/// A client message as read before any decision: everything that needs no shared state (scanning,
/// parsing a tool call) happens here, outside the session's lock.
public enum ClientMessage: Sendable, Equatable {
    /// Not a valid JSON-RPC message: Tollgate answers with this error; `id` nil answers `null`.
    case invalid(id: [UInt8]?, JSONRPCError, log: String)
    /// A `tools/call` without an id: never forwarded.
    case toolCallNotification
    /// A notification: forwarded as its original bytes.
    case passThrough(span: Range<Int>)
    /// A response to a server's request: its id (nil when unusable) at `idSpan` and, when the
    /// gate caps sampling, the estimated tokens of its result's content (0 for an error; nil when
    /// unreadable or not read).
    case response(RequestID?, idSpan: Range<Int>?, tokens: Int64?, span: Range<Int>)
    /// A request other than `tools/call`: forwarded as its original bytes.
    case request(RequestID, method: String, span: Range<Int>)
    /// A well-formed `tools/call`, its name and era read (its params are parsed when asked for).
    indirect case toolCall(ToolCall)
    /// A well-formed `tools/call` read by a relay whose gate does not inspect calls: forwarded as
    /// its original bytes.
    case uninspectedToolCall(RequestID, ToolCallHeader, span: Range<Int>)
    /// A `tools/call` whose params are not usable: answered with this error.
    case malformedToolCall(RequestID, JSONRPCError)

    /// Reads one message of a line (alone or in a batch).
    public static func read(_ envelope: MessageEnvelope, in line: UnsafeRawBufferPointer, maxDepth: Int, inspectingCalls: Bool = true,
                            readingResponses: Bool = false) -> ClientMessage {
        switch envelope.kind {
        case .invalid(let why):
            let id = envelope.idKind == .string || envelope.idKind == .number ? envelope.id.map { Array(line[$0]) } : nil
            return .invalid(id: id, JSONRPCError(.invalidRequest, "Invalid Request: \(why)"),
                            log: "rejected an invalid message from the client: \(why)")
        case .notification:
            return envelope.method?.hasSameScalars(as: "tools/call") == true ? .toolCallNotification : .passThrough(span: envelope.span)
        case .response:
            let id = envelope.id.flatMap { RequestID.response(line, $0) }
            let tokens = readingResponses ? SamplingRequest.answeredTokens(result: envelope.result, in: line, maxDepth: maxDepth) : nil
            return .response(id, idSpan: envelope.id, tokens: tokens, span: envelope.span)
        case .request:
            guard let id = RequestID(envelope: envelope, in: line), let method = envelope.method else {
                return .invalid(id: nil, JSONRPCError(.invalidRequest, "Invalid Request: unusable id"), log: "rejected a request without a usable id")
            }
            guard method.hasSameScalars(as: "tools/call") else { return .request(id, method: method, span: envelope.span) }
            if !inspectingCalls {
                do throws(JSONRPCError) {
                    let params = envelope.params.map { UnsafeRawBufferPointer(rebasing: line[$0]) }
                    return .uninspectedToolCall(id, try ToolCallHeader.read(params), span: envelope.span)
                } catch {
                    return .malformedToolCall(id, error)
                }
            }
            do throws(JSONRPCError) {
                var call = try ToolCall(id: id, checkedParams: envelope.params.map { UnsafeRawBufferPointer(rebasing: line[$0]) })
                call.messageBytes = envelope.span.count
                call.paramsSpan = envelope.params
                return .toolCall(call)
            } catch {
                return .malformedToolCall(id, error)
            }
        }
    }
}

/// A whole client line as read before any decision.
public enum ClientLine: Sendable, Equatable {
    /// A blank line: ignored.
    case blank
    /// Not JSON: answered with a parse error.
    case malformed(id: [UInt8]?, JSONScanError)
    /// One message.
    case single(ClientMessage)
    /// A batch (2025-03-26) of messages, each read alike; `spans` locate the elements.
    case batch([ClientMessage], spans: [Range<Int>])

    /// Reads a line (without its newline).
    /// Reads a line (without its newline). `inspectingCalls` false reads only the name and era
    /// of each `tools/call` (for a gate that does not look at calls).
    public static func read(_ line: UnsafeRawBufferPointer, maxDepth: Int = JSONScanner.defaultMaxDepth, inspectingCalls: Bool = true,
                            readingResponses: Bool = false) -> ClientLine {
        // The plain read first, without wrapping its envelope in a result (this runs per message).
        if let envelope = JSONScanner(line, maxDepth: maxDepth).plainEnvelope() {
            return .single(ClientMessage.read(envelope, in: line, maxDepth: maxDepth, inspectingCalls: inspectingCalls, readingResponses: readingResponses))
        }
        switch MessageEnvelope.scanWalking(line, maxDepth: maxDepth) {
        case .failure(let malformed):
            if case .empty = malformed.error.reason { return .blank }
            return .malformed(id: malformed.id.map { Array(line[$0]) }, malformed.error)
        case .success(.single(let envelope)):
            return .single(ClientMessage.read(envelope, in: line, maxDepth: maxDepth, inspectingCalls: inspectingCalls, readingResponses: readingResponses))
        case .success(.batch(let envelopes)):
            return .batch(envelopes.map { ClientMessage.read($0, in: line, maxDepth: maxDepth, inspectingCalls: inspectingCalls, readingResponses: readingResponses) },
                          spans: envelopes.map(\.span))
        }
    }
}
