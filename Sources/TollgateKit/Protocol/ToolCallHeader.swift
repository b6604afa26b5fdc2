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
    /// it an invalid-params error. One loop over the members; values are skipped as checked bytes.
    public static func read(_ params: UnsafeRawBufferPointer?) throws(JSONRPCError) -> ToolCallHeader {
        guard let params, params.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D && $0 != 0x0A }) == UInt8(ascii: "{") else {
            throw JSONRPCError(.invalidParams, "tools/call needs params with a tool name")
        }
        var name: String?
        var nameIsString = true
        var argumentsAreObject = true
        var era = ProtocolEra.session
        var scanner = JSONScanner(params)
        scanner.forEachCheckedMember { scanner, key in
            if scanner.token(key, equals: "name") {
                if scanner.nextByte() == UInt8(ascii: "\"") {
                    name = scanner.decodeString(scanner.checkedString())
                } else {
                    nameIsString = false
                    scanner.skipCheckedValue()
                }
            } else if scanner.token(key, equals: "arguments") {
                let first = scanner.nextByte()
                argumentsAreObject = first == UInt8(ascii: "{") || first == UInt8(ascii: "n")
                scanner.skipCheckedValue()
            } else if scanner.token(key, equals: "_meta"), scanner.nextByte() == UInt8(ascii: "{") {
                scanner.forEachCheckedMember { scanner, key in
                    if scanner.token(key, equals: "io.modelcontextprotocol/protocolVersion"), scanner.nextByte() == UInt8(ascii: "\"") {
                        era = ProtocolEra(version: scanner.decodeString(scanner.checkedString()))
                    } else {
                        scanner.skipCheckedValue()
                    }
                }
            } else {
                scanner.skipCheckedValue()
            }
        }
        guard nameIsString, let name else { throw JSONRPCError(.invalidParams, "tools/call params.name must be a string") }
        guard argumentsAreObject else { throw JSONRPCError(.invalidParams, "tools/call params.arguments must be an object") }
        return ToolCallHeader(name: name, era: era)
    }
}
