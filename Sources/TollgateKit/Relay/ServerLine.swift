/// A server line as read before any decision (outside the session's lock).
public enum ServerLine: Sendable, Equatable {
    /// A blank line: ignored.
    case blank
    /// Not JSON; the id is given when it was read before the fault.
    case malformed(id: RequestID?, JSONScanError)
    /// A JSON-RPC message that is not valid: dropped.
    case invalid(String)
    /// A request or notification from the server: passed through.
    case message
    /// A request from the server, read because the gate caps sampling: its id, method and params.
    case request(id: RequestID, method: String, params: Range<Int>?)
    /// A response to `id`, with where its result or its error is.
    case response(id: RequestID?, result: Range<Int>?, error: Range<Int>?)
    /// A batch; the responses in it, by id and outcome.
    case batch([(id: RequestID, outcome: CallOutcome)])

    /// Reads a line (without its newline).
    /// `readingRequests` reads the server's requests as ``request(id:method:params:)``.
    public static func read(_ line: UnsafeRawBufferPointer, maxDepth: Int = JSONScanner.defaultMaxDepth, readingRequests: Bool = false) -> ServerLine {
        // The plain read first, without wrapping its envelope in a result (this runs per message).
        if let envelope = JSONScanner(line, maxDepth: maxDepth).plainEnvelope() {
            return read(envelope, in: line, readingRequests: readingRequests)
        }
        switch MessageEnvelope.scanWalking(line, maxDepth: maxDepth) {
        case .failure(let malformed):
            if case .empty = malformed.error.reason { return .blank }
            return .malformed(id: malformed.id.flatMap { responseID(line, $0) }, malformed.error)
        case .success(.single(let envelope)):
            return read(envelope, in: line, readingRequests: readingRequests)
        case .success(.batch(let envelopes)):
            return .batch(envelopes.compactMap { envelope in
                guard envelope.kind == .response, let range = envelope.id, let id = responseID(line, range) else { return nil }
                return (id, outcome(result: envelope.result, error: envelope.error, in: line))
            })
        }
    }

    /// Reads one message that is not in a batch.
    private static func read(_ envelope: MessageEnvelope, in line: UnsafeRawBufferPointer, readingRequests: Bool) -> ServerLine {
        switch envelope.kind {
        case .invalid(let why): return .invalid(why.description)
        case .request:
            guard readingRequests, let range = envelope.id, let id = responseID(line, range), let method = envelope.method else { return .message }
            return .request(id: id, method: method, params: envelope.params)
        case .notification: return .message
        case .response:
            return .response(id: envelope.id.flatMap { responseID(line, $0) }, result: envelope.result, error: envelope.error)
        }
    }

    public static func == (lhs: ServerLine, rhs: ServerLine) -> Bool {
        switch (lhs, rhs) {
        case (.blank, .blank), (.message, .message): true
        case (.malformed(let a, let e), .malformed(let b, let f)): a == b && e == f
        case (.invalid(let a), .invalid(let b)): a == b
        case (.request(let a, let m, let p), .request(let b, let n, let q)): a == b && m == n && p == q
        case (.response(let a, let r, let e), .response(let b, let s, let f)): a == b && r == s && e == f
        case (.batch(let a), .batch(let b)): a.map(\.id) == b.map(\.id) && a.map(\.outcome) == b.map(\.outcome)
        default: false
        }
    }

    /// The id of a response, matched the way the pending table keys requests.
    static func responseID(_ line: UnsafeRawBufferPointer, _ range: Range<Int>) -> RequestID? {
        let bytes = UnsafeRawBufferPointer(rebasing: line[range])
        guard let first = bytes.first, first == UInt8(ascii: "\"") || first == UInt8(ascii: "-") || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) else {
            return nil
        }
        let isString = first == UInt8(ascii: "\"")
        return RequestID(source: bytes, isString: isString, hasEscapes: isString && bytes.contains(UInt8(ascii: "\\")))
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
