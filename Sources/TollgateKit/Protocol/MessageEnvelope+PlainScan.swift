extension JSONScanner {
    /// Reads a line holding one plain JSON-RPC object (plain as in ``fastSkipContainer(depth:)``:
    /// ASCII keys without escapes, few keys per object, moderate nesting) in one pass of the fast
    /// walk, the envelope's members noted as they go by. Returns nil for anything else (a batch,
    /// an unusual document, an error): the exact walker then reads the line and reports any
    /// error, so this changes what reading costs, never what it finds.
    func plainEnvelope() -> MessageEnvelope? {
        let p = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let n = end
        var i = 0
        Self.skipSpace(p, n, &i)
        guard i < n, p[i] == UInt8(ascii: "{") else { return nil }
        var members = EnvelopeNotes()
        let start = i
        guard let after = withUnsafeTemporaryAllocation(of: FastKey.self, capacity: Self.fastPathKeys, { keys in
            fastWalk(from: start, depth: 0, keys: keys.baseAddress!, observer: &members)
        }) else { return nil }
        i = after
        Self.skipSpace(p, n, &i)
        guard i == n else { return nil }

        var envelope = MessageEnvelope()
        envelope.span = start..<after
        if let id = members.id {
            envelope.id = id
            switch p[id.lowerBound] {
            case UInt8(ascii: "\""): envelope.idKind = .string
            case UInt8(ascii: "n"): envelope.idKind = .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): envelope.idKind = .number
            default: envelope.idKind = .other
            }
            envelope.idHasEscapes = members.idHasEscapes
        }
        if let method = members.method, p[method.lowerBound] == UInt8(ascii: "\"") {
            envelope.method = methodName(StringToken(content: (method.lowerBound + 1)..<(method.upperBound - 1), hasEscapes: members.methodHasEscapes))
        }
        if let version = members.jsonrpc, p[version.lowerBound] == UInt8(ascii: "\"") {
            envelope.hasVersion = token(StringToken(content: (version.lowerBound + 1)..<(version.upperBound - 1), hasEscapes: members.jsonrpcHasEscapes), equals: "2.0")
        }
        envelope.params = members.params
        envelope.result = members.result
        envelope.error = members.error
        envelope.hasExtraMembers = members.hasExtraMembers
        envelope.kind = Self.classify(envelope, hasMethod: members.method != nil, fault: members.fault)
        return envelope
    }
}

/// What the fast walk notes of a message's members: the JSON-RPC ones by the same rules as
/// ``JSONScanner/scanEnvelope(into:depth:)`` (a fault is the last one met in document order).
struct EnvelopeNotes: FastWalkObserver {
    static var observes: Bool { true }

    private var member = JSONScanner.EnvelopeMember.other
    var id: Range<Int>?
    var idHasEscapes = false
    var method: Range<Int>?
    var methodHasEscapes = false
    var jsonrpc: Range<Int>?
    var jsonrpcHasEscapes = false
    var params: Range<Int>?
    var result: Range<Int>?
    var error: Range<Int>?
    var hasExtraMembers = false
    var fault: StaticString?

    /// Recognizes a member by its key's length and first eight bytes (the walk has refused
    /// duplicate keys already). The words are the keys' bytes, little-endian.
    @inline(__always)
    mutating func key(prefix: UInt64, count: Int) {
        switch (count, prefix) {
        case (2, 0x6469): member = .id                          // "id"
        case (6, 0x646F_6874_656D): member = .method            // "method"
        case (7, 0x63_7072_6E6F_736A): member = .jsonrpc        // "jsonrpc"
        case (6, 0x736D_6172_6170): member = .params            // "params"
        case (6, 0x746C_7573_6572): member = .result            // "result"
        case (5, 0x72_6F72_7265): member = .error               // "error"
        default: member = .other
        }
    }

    @inline(__always)
    mutating func value(_ range: Range<Int>, first: UInt8, escaped: Bool) {
        switch member {
        case .id:
            id = range
            idHasEscapes = escaped
        case .method:
            method = range
            methodHasEscapes = escaped
            if first != UInt8(ascii: "\"") { fault = "method is not a string" }
        case .jsonrpc:
            jsonrpc = range
            jsonrpcHasEscapes = escaped
        case .params:
            params = range
            if first != UInt8(ascii: "{") && first != UInt8(ascii: "[") { fault = "params must be an object or an array" }
        case .result: result = range
        case .error: error = range
        case .other: hasExtraMembers = true
        }
    }
}
