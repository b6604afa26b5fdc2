/// Builds the complete lines (newline included) of the messages Tollgate writes itself.
public enum Reply {
    /// A JSON-RPC error response; `id` nil writes `"id": null` (the id could not be read).
    public static func error(id: [UInt8]?, _ error: JSONRPCError) -> [UInt8] {
        var writer = JSONWriter()
        writer.append(#"{"jsonrpc":"2.0","id":"#)
        if let id { writer.write(raw: id) } else { writer.append("null") }
        writer.append(#","error":"#)
        writer.write(error.json)
        writer.append("}\n")
        return writer.bytes
    }

    /// A JSON-RPC success response carrying `result`.
    public static func result(id: [UInt8], _ result: JSONValue) -> [UInt8] {
        var writer = JSONWriter()
        writer.append(#"{"jsonrpc":"2.0","id":"#)
        writer.write(raw: id)
        writer.append(#","result":"#)
        writer.write(result)
        writer.append("}\n")
        return writer.bytes
    }

    /// A request Tollgate sends on its own account.
    public static func request(id: [UInt8], method: String, params: JSONValue?) -> [UInt8] {
        message(id: id, method: method, params: params)
    }

    /// A notification Tollgate sends on its own account.
    public static func notification(method: String, params: JSONValue?) -> [UInt8] {
        message(id: nil, method: method, params: params)
    }

    private static func message(id: [UInt8]?, method: String, params: JSONValue?) -> [UInt8] {
        var writer = JSONWriter()
        writer.append(#"{"jsonrpc":"2.0","#)
        if let id {
            writer.append(#""id":"#)
            writer.write(raw: id)
            writer.append(",")
        }
        writer.append(#""method":"#)
        writer.write(string: method)
        if let params {
            writer.append(#","params":"#)
            writer.write(params)
        }
        writer.append("}\n")
        return writer.bytes
    }
}

extension Reply {
    /// `notifications/cancelled` for the request whose id was written as `requestID` (the exact
    /// bytes forwarded), with a reason (2025-11-25 and 2026-07-28 alike: `params.requestId`,
    /// `params.reason`).
    public static func cancelled(requestID: [UInt8], reason: String) -> [UInt8] {
        var writer = JSONWriter()
        writer.append(#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"#)
        writer.write(raw: requestID)
        writer.append(#","reason":"#)
        writer.write(string: reason)
        writer.append("}}\n")
        return writer.bytes
    }
}
