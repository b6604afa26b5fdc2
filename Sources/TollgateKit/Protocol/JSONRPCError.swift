/// A JSON-RPC error object Tollgate sends in its own replies.
public struct JSONRPCError: Error, Sendable, Equatable {
    /// The codes Tollgate uses: JSON-RPC's standard ones and, from MCP's reserved range
    /// -32020…-32099, the one it answers a stateless request of a version it does not speak with.
    public enum Code: Int, Sendable {
        case parseError = -32700
        case invalidRequest = -32600
        case methodNotFound = -32601
        case invalidParams = -32602
        case internalError = -32603
        /// MCP 2026-07-28 `UnsupportedProtocolVersionError`: `data` names `supported` and `requested`.
        case unsupportedProtocolVersion = -32022
    }

    /// The numeric code.
    public var code: Int
    /// A one-line message for humans.
    public var message: String
    /// Optional structured detail.
    public var data: JSONValue?

    public init(_ code: Code, _ message: String, data: JSONValue? = nil) {
        self.code = code.rawValue
        self.message = message
        self.data = data
    }

    /// The error as a JSON value.
    public var json: JSONValue {
        var object = JSONObject()
        object["code"] = .number(String(code))
        object["message"] = .string(message)
        if let data { object["data"] = data }
        return .object(object)
    }
}
