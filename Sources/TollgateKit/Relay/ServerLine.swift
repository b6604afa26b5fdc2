/// A server line as read before any decision (outside the session's lock).
public indirect enum ServerLine: Sendable, Equatable {
    /// A blank line: ignored.
    case blank
    /// Not JSON; the id is given when it was read before the fault.
    case malformed(id: RequestID?, JSONScanError)
    /// A JSON-RPC message that is not valid: dropped.
    case invalid(String)
    /// A notification from the server: passed through.
    case message
    /// A request from the server (its own id space): its id, method and params.
    case request(id: RequestID, method: String, params: Range<Int>?)
    /// A response to `id` (at `idSpan`), with where its result or its error is.
    case response(id: RequestID?, idSpan: Range<Int>?, result: Range<Int>?, error: Range<Int>?)
    /// A batch (2025-03-26): each element read exactly as it would be alone; `spans` locate them.
    case batch([ServerLine], spans: [Range<Int>])

    /// Reads a line (without its newline).
    public static func read(_ line: UnsafeRawBufferPointer, maxDepth: Int = JSONScanner.defaultMaxDepth) -> ServerLine {
        // The plain read first, without wrapping its envelope in a result (this runs per message).
        if let envelope = JSONScanner(line, maxDepth: maxDepth).plainEnvelope() {
            return read(envelope, in: line)
        }
        switch MessageEnvelope.scanWalking(line, maxDepth: maxDepth) {
        case .failure(let malformed):
            if case .empty = malformed.error.reason { return .blank }
            return .malformed(id: malformed.id.flatMap { RequestID.response(line, $0) }, malformed.error)
        case .success(.single(let envelope)):
            return read(envelope, in: line)
        case .success(.batch(let envelopes)):
            return .batch(envelopes.map { read($0, in: line) }, spans: envelopes.map(\.span))
        }
    }

    /// Reads one message, alone or in a batch.
    private static func read(_ envelope: MessageEnvelope, in line: UnsafeRawBufferPointer) -> ServerLine {
        switch envelope.kind {
        case .invalid(let why): return .invalid(why.description)
        case .request:
            guard let range = envelope.id, let id = RequestID.response(line, range), let method = envelope.method else {
                return .invalid("a request without a usable id")
            }
            return .request(id: id, method: method, params: envelope.params)
        case .notification: return .message
        case .response:
            return .response(id: envelope.id.flatMap { RequestID.response(line, $0) }, idSpan: envelope.id, result: envelope.result, error: envelope.error)
        }
    }

    /// How a response ended: an error (with its code) or a result (with its `isError` flag and size).
    static func outcome(result: Range<Int>?, error: Range<Int>?, in line: UnsafeRawBufferPointer) -> CallOutcome {
        if let errorRange = error {
            let code = (try? JSONValue.parse(UnsafeRawBufferPointer(rebasing: line[errorRange])))?["code"]?.doubleValue
            return .error(code: code.map { Int(exactly: $0.rounded()) ?? 0 } ?? 0)
        }
        guard let resultRange = result else { return .error(code: 0) }
        var isError = false
        var scanner = JSONScanner(UnsafeRawBufferPointer(rebasing: line[resultRange]))
        try? scanner.scanObject(depth: 1) { (scanner: inout JSONScanner, key: JSONScanner.StringToken) throws(JSONScanError) in
            if scanner.token(key, equals: "isError"), try scanner.peekSignificant() == UInt8(ascii: "t") {
                isError = true
            }
            try scanner.skipValue(depth: 2)
        }
        return .result(isError: isError, bytes: resultRange.count)
    }
}
