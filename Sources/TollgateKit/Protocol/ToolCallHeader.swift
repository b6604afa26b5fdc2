/// What a relay that does not inspect calls (no manifest) still reads of a `tools/call`: the tool's
/// name and the request's era, found in one pass over `params` without building a tree. The call
/// itself is forwarded as its original bytes, which the scanner already proved unambiguous (valid
/// UTF-8, no duplicate keys, nothing after the value).
public struct ToolCallHeader: Sendable, Equatable {
    /// The tool's name (escapes decoded).
    public var name: String
    /// The request's era.
    public var era: ProtocolEra

    /// Reads `params` (already checked by the scanner); the same conditions as ``ToolCall`` make
    /// it an invalid-params error.
    public static func read(_ params: UnsafeRawBufferPointer?) throws(JSONRPCError) -> ToolCallHeader {
        guard let params, params.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) == UInt8(ascii: "{") else {
            throw JSONRPCError(.invalidParams, "tools/call needs params with a tool name")
        }
        var name: String?
        var nameIsString = true
        var argumentsAreObject = true
        var era = ProtocolEra.session
        var scanner = JSONScanner(params)
        do throws(JSONScanError) {
            try scanner.scanObject(depth: 1) { (scanner: inout JSONScanner, key: JSONScanner.StringToken) throws(JSONScanError) in
                if scanner.token(key, equals: "name") {
                    if try scanner.peekSignificant() == UInt8(ascii: "\"") {
                        name = scanner.decodeString(try scanner.scanString())
                    } else {
                        nameIsString = false
                        try scanner.skipValue(depth: 2)
                    }
                } else if scanner.token(key, equals: "arguments") {
                    let first = try scanner.peekSignificant()
                    argumentsAreObject = first == UInt8(ascii: "{") || first == UInt8(ascii: "n")
                    try scanner.skipValue(depth: 2)
                } else if scanner.token(key, equals: "_meta"), try scanner.peekSignificant() == UInt8(ascii: "{") {
                    try scanner.scanObject(depth: 2) { (scanner: inout JSONScanner, key: JSONScanner.StringToken) throws(JSONScanError) in
                        if scanner.token(key, equals: "io.modelcontextprotocol/protocolVersion"),
                            try scanner.peekSignificant() == UInt8(ascii: "\"")
                        {
                            era = ProtocolEra(version: scanner.decodeString(try scanner.scanString()))
                        } else {
                            try scanner.skipValue(depth: 3)
                        }
                    }
                } else {
                    try scanner.skipValue(depth: 2)
                }
            }
        } catch {
            throw JSONRPCError(.parseError, "Parse error: \(error)")
        }
        guard nameIsString, let name else { throw JSONRPCError(.invalidParams, "tools/call params.name must be a string") }
        guard argumentsAreObject else { throw JSONRPCError(.invalidParams, "tools/call params.arguments must be an object") }
        return ToolCallHeader(name: name, era: era)
    }
}
