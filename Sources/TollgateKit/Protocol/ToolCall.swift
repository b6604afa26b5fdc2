/// A `tools/call` request as the gate sees it: its name and era read, its params kept as the
/// checked bytes they were read from (or as a tree, for a call built otherwise), ready to go
/// out so that the server reads exactly what was decided on.
///
/// A call read from a line is not parsed into a tree: the scanner has checked its bytes already
/// (grammar, UTF-8, escapes, duplicate keys, depth), its name and era are read from them in one
/// pass (``ToolCallHeader``), and ``arguments`` and ``params`` are parsed from them when asked
/// for (by argument schemas, an audit record, an approval).
public struct ToolCall: Sendable, Equatable {
    /// The request's id, as the client wrote it.
    public var id: RequestID
    /// The tool's name (escapes decoded).
    public var name: String
    /// The era of the request.
    public var era: ProtocolEra
    /// The size of the message the call was read from: what keeping it while it is in flight
    /// costs, as ``PeerLimits/requestBytesInFlight`` counts it (0 for a call built otherwise).
    public var messageBytes = 0
    /// Where `params` is in the line the call was read from (nil for a call built otherwise,
    /// and for a call kept beyond that line: ``keptBeyondItsLine``). Only the line's own
    /// forwarding may use it.
    public var paramsSpan: Range<Int>?
    /// Whether the params were read in the form ``JSONWriter`` writes (compact, minimal escapes):
    /// re-serializing them writes their bytes as they are, so those go out (from where they
    /// were read: see ``LinePump``).
    public private(set) var paramsAreCompact = false
    /// The call as kept once the line it was read from is gone (held for approval): where its
    /// params were in that line means nothing in another, so it goes out re-serialized.
    public var keptBeyondItsLine: ToolCall {
        var kept = self
        kept.paramsSpan = nil
        return kept
    }
    /// The params: their checked bytes, or a tree.
    private let contents: Contents

    /// How a call keeps its params.
    private enum Contents: Sendable {
        /// As read: the checked bytes of the params object, and where `arguments` is in them
        /// (nil: absent or null).
        case read(bytes: [UInt8], arguments: Range<Int>?)
        /// As parsed or built: the params object and its arguments.
        case tree(params: JSONObject, arguments: JSONObject)
    }

    /// Params from this size on are parsed when read (as a tree they cost about their size,
    /// and the line they were read from is given back): a copy of their bytes would be kept
    /// beside the tree an argument check parses.
    static let parsedFrom = 64 << 10

    /// Reads a call from its parsed params; a call without a string `name` or with non-object
    /// `arguments` is an invalid-params error.
    public init(id: RequestID, params: JSONValue?) throws(JSONRPCError) {
        guard case .object(let object)? = params else {
            throw JSONRPCError(.invalidParams, "tools/call needs params with a tool name")
        }
        guard case .string(let name)? = object["name"] else {
            throw JSONRPCError(.invalidParams, "tools/call params.name must be a string")
        }
        let arguments: JSONObject
        switch object["arguments"] {
        case nil, .null?: arguments = JSONObject()
        case .object(let args)?: arguments = args
        default: throw JSONRPCError(.invalidParams, "tools/call params.arguments must be an object")
        }
        self.id = id
        self.name = name
        self.era = ProtocolEra(params: object)
        contents = .tree(params: object, arguments: arguments)
    }

    /// Reads a call from the checked bytes of its params (as the scanner passed them, within the
    /// session's nesting limit) without building a tree, unless they are large
    /// (``parsedFrom``); the same conditions as ``init(id:params:)`` make it an invalid-params error.
    public init(id: RequestID, checkedParams params: UnsafeRawBufferPointer?) throws(JSONRPCError) {
        let header = try ToolCallHeader.read(params)
        guard let params else { throw JSONRPCError(.invalidParams, "tools/call needs params with a tool name") }
        self.id = id
        name = header.name
        era = header.era
        paramsAreCompact = JSONScanner.isCompact(checked: params)
        if params.count >= Self.parsedFrom {
            let tree = Self.parseChecked(params)
            contents = .tree(params: tree, arguments: tree["arguments"]?.objectValue ?? JSONObject())
        } else {
            contents = .read(bytes: Array(params), arguments: header.arguments)
        }
    }

    /// The arguments (an empty object when the call had none).
    public var arguments: JSONObject {
        switch contents {
        case .tree(_, let arguments): return arguments
        case .read(let bytes, let range):
            guard let range else { return JSONObject() }
            return bytes.withUnsafeBytes { Self.parseChecked(UnsafeRawBufferPointer(rebasing: $0[range])) }
        }
    }

    /// The whole `params` object, `_meta` included.
    public var params: JSONObject {
        switch contents {
        case .tree(let params, _): return params
        case .read(let bytes, _): return bytes.withUnsafeBytes { Self.parseChecked($0) }
        }
    }

    /// An object of bytes the scanner checked already, as a tree (nothing is checked again).
    private static func parseChecked(_ bytes: UnsafeRawBufferPointer) -> JSONObject {
        var scanner = JSONScanner(bytes)
        guard case .object(let object) = scanner.parseCheckedValue() else { return JSONObject() }
        return object
    }

    /// Calls are equal when their contents are (whatever message they were read from).
    public static func == (lhs: ToolCall, rhs: ToolCall) -> Bool {
        lhs.id == rhs.id && lhs.name.utf8.elementsEqual(rhs.name.utf8) && lhs.arguments == rhs.arguments && lhs.params == rhs.params && lhs.era == rhs.era
    }

    /// The request the server receives (no newline): the checked params re-serialized, the id as sent.
    public var requestBytes: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(128)
        writeRequest(to: &bytes)
        return bytes
    }

    /// Appends the request the server receives (no newline) to `output`: the checked params
    /// (or `routed`, the same call's params as its server knows the tool) under the call's id (or
    /// `routedID`, one the gate owns), as ``JSONWriter`` writes them (params read in that form
    /// are copied as they are). Every forwarded call is written here.
    public func writeRequest(to output: inout [UInt8], id routedID: RequestID? = nil, params routed: JSONObject? = nil) {
        var writer = JSONWriter(capacity: 0)
        swap(&writer.bytes, &output)
        writeHead(into: &writer, id: routedID ?? id)
        if let routed {
            writer.write(.object(routed))
        } else if paramsAreCompact, case .read(let bytes, _) = contents {
            writer.write(raw: bytes)
        } else {
            writer.write(.object(params))
        }
        writer.append("}")
        swap(&writer.bytes, &output)
    }

    /// Appends the request up to its params, `{"jsonrpc":"2.0","id":…,"method":"tools/call","params":`,
    /// to `output` (the params and `}` follow).
    public func writeRequestHead(to output: inout [UInt8]) {
        var writer = JSONWriter(capacity: 0)
        swap(&writer.bytes, &output)
        writeHead(into: &writer, id: id)
        swap(&writer.bytes, &output)
    }

    private func writeHead(into writer: inout JSONWriter, id: RequestID) {
        writer.append(#"{"jsonrpc":"2.0","id":"#)
        id.withBytes { writer.write(raw: $0) }
        writer.append(#","method":"tools/call","params":"#)
    }
}
