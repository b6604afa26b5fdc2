extension JSONScanner {
    /// Scans one value and builds its tree. `depth` is the nesting level of the value's container.
    public mutating func parseValue(depth: Int = 0) throws(JSONScanError) -> JSONValue {
        switch try peekSignificant() {
        case UInt8(ascii: "{"):
            var members: [JSONObject.Member] = []
            try scanObject(depth: depth) { (scanner: inout JSONScanner, key: StringToken) throws(JSONScanError) in
                let name = scanner.decodeString(key)
                members.append(JSONObject.Member(key: name, value: try scanner.parseValue(depth: depth + 1)))
            }
            return .object(JSONObject(uncheckedMembers: members))
        case UInt8(ascii: "["):
            var elements: [JSONValue] = []
            try scanArray(depth: depth) { (scanner: inout JSONScanner) throws(JSONScanError) in
                elements.append(try scanner.parseValue(depth: depth + 1))
            }
            return .array(elements)
        case UInt8(ascii: "\""):
            return .string(decodeString(try scanString()))
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let range = try scanNumber()
            return .number(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self))
        default:
            switch try scanLiteral() {
            case .true: return .bool(true)
            case .false: return .bool(false)
            case .null: return .null
            }
        }
    }
}

extension JSONValue {
    /// Parses a complete JSON document (whitespace around it allowed) with every check of ``JSONScanner``.
    public static func parse(
        _ bytes: UnsafeRawBufferPointer, maxDepth: Int = JSONScanner.defaultMaxDepth
    ) throws(JSONScanError) -> JSONValue {
        var scanner = JSONScanner(bytes, maxDepth: maxDepth)
        scanner.skipWhitespace()
        guard scanner.position < bytes.count else { throw JSONScanError(.empty, at: 0) }
        let value = try scanner.parseValue()
        try scanner.expectEndOfDocument()
        return value
    }

    /// Parses a complete JSON document from bytes.
    public static func parse<Bytes: Sequence<UInt8>>(_ bytes: Bytes) throws(JSONScanError) -> JSONValue {
        let array = Array(bytes)
        let result = array.withUnsafeBytes { buffer in
            Result { () throws(JSONScanError) -> JSONValue in try parse(buffer) }
        }
        return try result.get()
    }

    /// Parses a complete JSON document from text.
    public static func parse(_ text: String) throws(JSONScanError) -> JSONValue {
        try parse(Array(text.utf8))
    }
}
