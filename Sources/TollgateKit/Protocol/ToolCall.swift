/// A `tools/call` request as the gate sees it: parsed, checked and ready to be re-serialized,
/// so the server reads exactly what was decided on.
public struct ToolCall: Sendable, Equatable {
    /// The request's id, as the client wrote it.
    public var id: RequestID
    /// The tool's name (escapes decoded).
    public var name: String
    /// The arguments (an empty object when the call had none).
    public var arguments: JSONObject
    /// The whole `params` object, `_meta` included.
    public var params: JSONObject
    /// The era of the request.
    public var era: ProtocolEra
    /// The size of the message the call was read from: what keeping it while it is in flight
    /// costs, as ``PeerLimits/requestBytesInFlight`` counts it (0 for a call built otherwise).
    public var messageBytes = 0
    /// Where `params` is in the line the call was read from (nil for a call built otherwise):
    /// a large call whose params re-serialize to exactly these bytes goes out with them as they
    /// are in the read buffer instead of a copy (see ``LinePump``).
    public var paramsSpan: Range<Int>?

    /// Reads a call from its parsed params; a call without a string `name` or with non-object
    /// `arguments` is an invalid-params error.
    public init(id: RequestID, params: JSONValue?) throws(JSONRPCError) {
        guard case .object(let object)? = params else {
            throw JSONRPCError(.invalidParams, "tools/call needs params with a tool name")
        }
        guard case .string(let name)? = object["name"] else {
            throw JSONRPCError(.invalidParams, "tools/call params.name must be a string")
        }
        switch object["arguments"] {
        case nil, .null?: arguments = JSONObject()
        case .object(let args)?: arguments = args
        default: throw JSONRPCError(.invalidParams, "tools/call params.arguments must be an object")
        }
        self.id = id
        self.name = name
        self.params = object
        self.era = ProtocolEra(params: object)
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
    /// `routedID`, one the gate owns). Every forwarded call is written here.
    public func writeRequest(to output: inout [UInt8], id routedID: RequestID? = nil, params routed: JSONObject? = nil) {
        var writer = JSONWriter(capacity: 0)
        swap(&writer.bytes, &output)
        writeHead(into: &writer, id: routedID ?? id)
        writer.write(.object(routed ?? params))
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
