/// A JSON-RPC request id, kept as the exact bytes the client sent so every reply echoes it
/// byte for byte (strings with escapes, integers beyond 2^53, negative numbers, zero).
public struct RequestID: Sendable, Hashable, CustomStringConvertible {
    /// The id's exact source bytes (a JSON string or number token).
    public let bytes: [UInt8]
    /// The id's canonical form, used to match a server's reply that re-encoded a string id's escapes.
    public let matchKey: [UInt8]

    /// Creates an id from its exact source bytes; `hasEscapes` says whether a string id holds `\` escapes.
    public init(bytes: [UInt8], isString: Bool, hasEscapes: Bool) {
        self.bytes = bytes
        if isString && hasEscapes, let decoded = try? JSONValue.parse(bytes) {
            matchKey = decoded.serialized
        } else {
            matchKey = bytes
        }
    }

    /// Reads the id of a scanned message, if it has one of a valid kind.
    public init?(envelope: MessageEnvelope, in line: UnsafeRawBufferPointer) {
        guard let range = envelope.id, let kind = envelope.idKind, kind == .string || kind == .number else { return nil }
        self.init(bytes: Array(line[range]), isString: kind == .string, hasEscapes: envelope.idHasEscapes)
    }

    /// The id as JSON text.
    public var description: String { String(decoding: bytes, as: UTF8.self) }

    public static func == (lhs: RequestID, rhs: RequestID) -> Bool { lhs.matchKey == rhs.matchKey }
    public func hash(into hasher: inout Hasher) { matchKey.withUnsafeBytes { hasher.combine(bytes: $0) } }
}
