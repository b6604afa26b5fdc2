/// Builds the lines an aggregating gate writes that are not Tollgate's own replies: responses
/// and messages carried from one side to the other with their ids (and tokens) replaced.
enum HostLines {
    /// A response to `id` carrying the raw `result` or `error` bytes of `line` (newline included).
    static func response(id: RequestID, result: Range<Int>?, error: Range<Int>?, in line: UnsafeRawBufferPointer) -> [UInt8] {
        var writer = JSONWriter(capacity: (result?.count ?? error?.count ?? 0) + 48)
        writer.append(#"{"jsonrpc":"2.0","id":"#)
        id.withBytes { writer.write(raw: $0) }
        if let result {
            writer.append(#","result":"#)
            writer.write(raw: UnsafeRawBufferPointer(rebasing: line[result]))
        } else if let error {
            writer.append(#","error":"#)
            writer.write(raw: UnsafeRawBufferPointer(rebasing: line[error]))
        }
        writer.append("}\n")
        return writer.bytes
    }

    /// A response to `id` carrying `result`, an already serialized object (newline included).
    static func response(id: RequestID, rawResult result: [UInt8]) -> [UInt8] {
        var writer = JSONWriter(capacity: result.count + 48)
        writer.append(#"{"jsonrpc":"2.0","id":"#)
        id.withBytes { writer.write(raw: $0) }
        writer.append(#","result":"#)
        writer.write(raw: result)
        writer.append("}\n")
        return writer.bytes
    }

    /// The parsed `params` object of a message; nil when it has none or they are not an object.
    static func params(_ envelope: MessageEnvelope, in line: UnsafeRawBufferPointer, maxDepth: Int) -> JSONObject? {
        guard let range = envelope.params else { return nil }
        return (try? JSONValue.parse(UnsafeRawBufferPointer(rebasing: line[range]), maxDepth: maxDepth))?.objectValue
    }

    /// The id as a JSON value (to write it into params).
    static func value(of id: RequestID) -> JSONValue {
        (try? JSONValue.parse(id.bytes)) ?? .null
    }

    /// `params._meta.progressToken`, when there is one.
    static func progressToken(in params: JSONObject?) -> JSONValue? {
        switch params?["_meta"]?["progressToken"] {
        case .string(let token)?: .string(token)
        case .number(let token)?: .number(token)
        default: nil
        }
    }

    /// `params` with `_meta.progressToken` replaced by `token`.
    static func replacingProgressToken(in params: JSONObject, with token: JSONValue) -> JSONObject {
        var params = params
        var meta = params["_meta"]?.objectValue ?? JSONObject()
        meta["progressToken"] = token
        params["_meta"] = .object(meta)
        return params
    }
}
