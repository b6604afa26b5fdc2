/// What Tollgate reads of one JSON-RPC message without building a tree: its kind, its method,
/// and the byte ranges of its id, params, result and error within the line.
///
/// Ranges index the line the envelope was scanned from; the original bytes are what gets forwarded.
public struct MessageEnvelope: Sendable, Equatable {
    /// The kind of JSON-RPC message.
    public enum Kind: Sendable, Equatable {
        /// A request: a method and an id; it expects exactly one response.
        case request
        /// A notification: a method and no id.
        case notification
        /// A response: an id and either a result or an error.
        case response
        /// Well-formed JSON that is not a valid JSON-RPC 2.0 message, and why (a static text, so
        /// an envelope stays a plain value that copies without reference counting).
        case invalid(StaticString)

        public static func == (lhs: Kind, rhs: Kind) -> Bool {
            switch (lhs, rhs) {
            case (.request, .request), (.notification, .notification), (.response, .response): true
            case (.invalid(let a), .invalid(let b)): a.description == b.description
            default: false
            }
        }
    }

    /// The JSON type of an id.
    public enum IDKind: Sendable, Equatable {
        case string, number, null, other
    }

    /// What kind of message this is.
    public var kind: Kind = .invalid("not an object")
    /// The decoded method name (escapes resolved), for requests and notifications.
    public var method: String?
    /// The exact bytes of the id.
    public var id: Range<Int>?
    /// The JSON type of the id.
    public var idKind: IDKind?
    /// Whether the id string holds escapes.
    public var idHasEscapes = false
    /// The bytes of `params`.
    public var params: Range<Int>?
    /// The bytes of `result`.
    public var result: Range<Int>?
    /// The bytes of `error`.
    public var error: Range<Int>?
    /// The bytes of the whole message object.
    public var span: Range<Int> = 0..<0
    /// Whether `"jsonrpc": "2.0"` was present.
    public var hasVersion = false
    /// Whether the object has members JSON-RPC does not define.
    public var hasExtraMembers = false

    public init() {}

    /// Whether this message is a request for `method`.
    public func isRequest(_ name: String) -> Bool { kind == .request && method?.hasSameScalars(as: name) == true }
}

/// One line of the stream, as scanned: a single message or a batch (a JSON array of messages, 2025-03-26 only).
public enum ScannedLine: Sendable, Equatable {
    case single(MessageEnvelope)
    case batch([MessageEnvelope])
}

/// A line that is not well-formed JSON, with the id of the message when it was read before the fault.
public struct MalformedLine: Error, Sendable, Equatable {
    /// The fault.
    public var error: JSONScanError
    /// The bytes of the id, when known.
    public var id: Range<Int>?
}
