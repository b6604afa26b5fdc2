/// What a relay that does not inspect calls (no manifest) still reads of a `tools/call`: the tool's
/// name and the request's era, found in one pass over `params` without building a tree. The call
/// itself is forwarded as its original bytes, which the scanner already proved unambiguous (valid
/// UTF-8, no duplicate keys, nothing after the value).
public struct ToolCallHeader: Sendable, Equatable {
    /// The tool's name (escapes decoded).
    public var name: String
    /// The request's era.
    public var era: ProtocolEra
    /// Where `arguments` is in `params` (nil when absent or null).
    public var arguments: Range<Int>?

    /// Reads `params` (already checked by the scanner); the same conditions as ``ToolCall`` make
    /// it an invalid-params error. One loop over the members; values are skipped as checked bytes.
    public static func read(_ params: UnsafeRawBufferPointer?) throws(JSONRPCError) -> ToolCallHeader {
        guard let params, params.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D && $0 != 0x0A }) == UInt8(ascii: "{") else {
            throw JSONRPCError(.invalidParams, "tools/call needs params with a tool name")
        }
        if let header = try readPlain(params) { return header }
        var name: String?
        var nameIsString = true
        var argumentsAreObject = true
        var arguments: Range<Int>?
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
                let start = scanner.position
                argumentsAreObject = first == UInt8(ascii: "{") || first == UInt8(ascii: "n")
                scanner.skipCheckedValue()
                arguments = first == UInt8(ascii: "{") ? start..<scanner.position : nil
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
        return ToolCallHeader(name: name, era: era, arguments: arguments)
    }

    /// The common case in one loop over the members' bytes: keys without escapes, no `_meta`
    /// (the era is then the session's). Returns nil for anything else, which the member-by-member
    /// read handles; its errors are the same.
    private static func readPlain(_ params: UnsafeRawBufferPointer) throws(JSONRPCError) -> ToolCallHeader? {
        let p = params.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let n = params.count
        var scanner = JSONScanner(params)
        var i = 0
        JSONScanner.skipSpace(p, n, &i)
        i += 1  // the `{` the caller found
        var name: JSONScanner.StringToken?
        var nameIsString = true
        var argumentsAreObject = true
        var arguments: Range<Int>?
        while true {
            JSONScanner.skipSpace(p, n, &i)
            guard i < n else { return nil }
            if p[i] == UInt8(ascii: "}") { break }
            if p[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            guard p[i] == UInt8(ascii: "\"") else { return nil }
            let keyStart = i + 1
            i = keyStart
            while i < n && p[i] != UInt8(ascii: "\"") {
                guard p[i] != UInt8(ascii: "\\") else { return nil }
                i += 1
            }
            let count = i - keyStart
            let prefix = JSONScanner.prefixWord(p, n, keyStart, count)
            i += 1
            JSONScanner.skipSpace(p, n, &i)
            guard i < n, p[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            JSONScanner.skipSpace(p, n, &i)
            guard i < n else { return nil }
            scanner.position = i
            switch (count, prefix) {
            case (4, 0x656D_616E):  // "name"
                if p[i] == UInt8(ascii: "\"") {
                    name = scanner.checkedString()
                } else {
                    nameIsString = false
                    scanner.skipCheckedValue()
                }
            case (9, 0x746E_656D_7567_7261) where p[keyStart + 8] == UInt8(ascii: "s"):  // "arguments"
                argumentsAreObject = p[i] == UInt8(ascii: "{") || p[i] == UInt8(ascii: "n")
                scanner.skipCheckedValue()
                arguments = p[i] == UInt8(ascii: "{") ? i..<scanner.position : nil
            case (5, 0x61_7465_6D5F):  // "_meta": the era is read member by member
                return nil
            default:
                scanner.skipCheckedValue()
            }
            i = scanner.position
        }
        guard nameIsString, let name else { throw JSONRPCError(.invalidParams, "tools/call params.name must be a string") }
        guard argumentsAreObject else { throw JSONRPCError(.invalidParams, "tools/call params.arguments must be an object") }
        return ToolCallHeader(name: scanner.decodeString(name), era: .session, arguments: arguments)
    }
}
