extension MessageEnvelope {
    /// Scans one line (a message or a batch), checking all of it: grammar, UTF-8, escapes,
    /// duplicate keys at every level and the nesting limit.
    public static func scan(
        _ line: UnsafeRawBufferPointer, maxDepth: Int = JSONScanner.defaultMaxDepth
    ) -> Result<ScannedLine, MalformedLine> {
        scan(line, maxDepth: maxDepth, usingFastPaths: true)
    }

    /// Scans one line; `usingFastPaths` false runs only the exact walker, the reference the fast
    /// paths are tested against (their results must be the same, errors included).
    static func scan(
        _ line: UnsafeRawBufferPointer, maxDepth: Int, usingFastPaths: Bool
    ) -> Result<ScannedLine, MalformedLine> {
        // Nearly every message is one plain object: read in one pass, or else by the exact walker,
        // which finds and reports any error.
        if usingFastPaths, let envelope = JSONScanner(line, maxDepth: maxDepth).plainEnvelope() {
            return .success(.single(envelope))
        }
        return scanWalking(line, maxDepth: maxDepth, usingFastPaths: usingFastPaths)
    }

    /// Scans one line member by member (after the plain read gave up, or as the reference).
    static func scanWalking(
        _ line: UnsafeRawBufferPointer, maxDepth: Int, usingFastPaths: Bool = true
    ) -> Result<ScannedLine, MalformedLine> {
        var scanner = JSONScanner(line, maxDepth: maxDepth)
        scanner.usesFastPath = usingFastPaths
        var current = MessageEnvelope()
        var isBatch = false
        do throws(JSONScanError) {
            let first = try scanner.peekSignificant()
            if first == UInt8(ascii: "[") {
                isBatch = true
                var elements: [MessageEnvelope] = []
                try scanner.scanArray(depth: 0) { (scanner: inout JSONScanner) throws(JSONScanError) in
                    current = MessageEnvelope()
                    try scanner.scanEnvelope(into: &current, depth: 1)
                    elements.append(current)
                }
                try scanner.expectEndOfDocument()
                return .success(.batch(elements))
            }
            try scanner.scanEnvelope(into: &current, depth: 0)
            try scanner.expectEndOfDocument()
            return .success(.single(current))
        } catch {
            if case .unexpectedEnd = error.reason, scanner.position == line.count,
                !line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D && $0 != 0x0A })
            {
                return .failure(MalformedLine(error: JSONScanError(.empty, at: 0), id: nil))
            }
            var knownID = current.id
            if case .duplicateKey("id") = error.reason { knownID = nil }
            // A batch that is not valid JSON is answered with a null id (JSON-RPC 2.0, section 6),
            // not with the id of whichever element was read last.
            if isBatch { knownID = nil }
            // A number id that runs into the end of the line may have been cut short ("12" of "123").
            if case .unexpectedEnd = error.reason, current.idKind == .number, knownID?.upperBound == line.count {
                knownID = nil
            }
            return .failure(MalformedLine(error: error, id: knownID))
        }
    }

    /// Scans a line given as bytes.
    public static func scan(_ line: [UInt8]) -> Result<ScannedLine, MalformedLine> {
        line.withUnsafeBytes { scan($0) }
    }
}

extension JSONScanner {
    /// Scans one element: an object is read as a JSON-RPC envelope; anything else is checked and marked invalid.
    ///
    /// The members are walked by one loop (no closure per member): this runs for every message.
    mutating func scanEnvelope(into envelope: inout MessageEnvelope, depth: Int) throws(JSONScanError) {
        guard try peekSignificant() == UInt8(ascii: "{") else {
            let valueStart = position
            try skipValue(depth: depth)
            envelope.kind = .invalid("message is not a JSON object")
            envelope.span = valueStart..<position
            return
        }
        guard depth < maxDepth else { throw JSONScanError(.tooDeep(limit: maxDepth), at: position) }
        let start = position
        position += 1
        var fault: StaticString?
        var seen = EnvelopeMembers()
        var extras = ExtraKeys()
        if try peekSignificant() != UInt8(ascii: "}") {
            while true {
                guard try peekSignificant() == UInt8(ascii: "\"") else {
                    throw JSONScanError(.unexpectedByte(byte(position)), at: position)
                }
                let keyStart = position
                let key = try scanString()
                let member = envelopeMember(key)
                if member == .other {
                    try extras.insert(key, at: keyStart, scanner: self)
                } else if !seen.insert(member) {
                    throw JSONScanError(.duplicateKey(decodeString(key)), at: keyStart)
                }
                try expect(UInt8(ascii: ":"))
                try scanMember(member, of: &envelope, depth: depth, fault: &fault)
                let next = try peekSignificant()
                position += 1
                if next == UInt8(ascii: ",") { continue }
                if next == UInt8(ascii: "}") { break }
                throw JSONScanError(.unexpectedByte(next), at: position - 1)
            }
        } else {
            position += 1
        }
        try extras.finish(scanner: self)
        envelope.hasExtraMembers = !extras.isEmpty
        envelope.span = start..<position
        envelope.kind = Self.classify(envelope, hasMethod: seen.contains(.method), fault: fault)
    }

    /// Reads the value of one envelope member into `envelope`.
    @inline(__always)
    private mutating func scanMember(_ member: EnvelopeMember, of envelope: inout MessageEnvelope, depth: Int, fault: inout StaticString?) throws(JSONScanError) {
        let first = try peekSignificant()
        let valueStart = position
        switch member {
        case .id:
            switch first {
            case UInt8(ascii: "\""):
                let token = try scanString()
                envelope.idKind = .string
                envelope.idHasEscapes = token.hasEscapes
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                _ = try scanNumber()
                envelope.idKind = .number
            default:
                try skipValue(depth: depth + 1)
                envelope.idKind = first == UInt8(ascii: "n") ? .null : .other
            }
            envelope.id = valueStart..<position
        case .method:
            if first == UInt8(ascii: "\"") {
                envelope.method = methodName(try scanString())
            } else {
                try skipValue(depth: depth + 1)
                fault = "method is not a string"
            }
        case .jsonrpc:
            if first == UInt8(ascii: "\"") {
                envelope.hasVersion = token(try scanString(), equals: "2.0")
            } else {
                try skipValue(depth: depth + 1)
            }
        case .params:
            try skipValue(depth: depth + 1)
            envelope.params = valueStart..<position
            if first != UInt8(ascii: "{") && first != UInt8(ascii: "[") {
                fault = "params must be an object or an array"
            }
        case .result:
            try skipValue(depth: depth + 1)
            envelope.result = valueStart..<position
        case .error:
            try skipValue(depth: depth + 1)
            envelope.error = valueStart..<position
        case .other:
            try skipValue(depth: depth + 1)
        }
    }

    /// The decoded method name; the methods MCP defines come from a table without decoding.
    @inline(__always)
    func methodName(_ token: StringToken) -> String {
        if !token.hasEscapes, let known = KnownMethod.name(of: UnsafeRawBufferPointer(rebasing: bytes[token.content])) {
            return known
        }
        return decodeString(token)
    }

    enum EnvelopeMember: UInt8 { case id, method, jsonrpc, params, result, error, other }

    /// The JSON-RPC members an envelope holds (each at most once).
    struct EnvelopeMembers {
        private var bits: UInt8 = 0

        /// Adds a member; false when it was there already.
        @inline(__always)
        mutating func insert(_ member: EnvelopeMember) -> Bool {
            let bit: UInt8 = 1 << member.rawValue
            defer { bits |= bit }
            return bits & bit == 0
        }

        func contains(_ member: EnvelopeMember) -> Bool { bits & (1 << member.rawValue) != 0 }
    }

    /// Which JSON-RPC member a key names (one comparison at most for unescaped keys).
    @inline(__always)
    func envelopeMember(_ key: StringToken) -> EnvelopeMember {
        if key.hasEscapes {
            switch ProtocolName(decodeString(key)) {
            case "id": return .id
            case "method": return .method
            case "jsonrpc": return .jsonrpc
            case "params": return .params
            case "result": return .result
            case "error": return .error
            default: return .other
            }
        }
        let first = key.content.isEmpty ? 0 : byte(key.content.lowerBound)
        switch (key.content.count, first) {
        case (2, UInt8(ascii: "i")): return token(key, equals: "id") ? .id : .other
        case (6, UInt8(ascii: "m")): return token(key, equals: "method") ? .method : .other
        case (7, UInt8(ascii: "j")): return token(key, equals: "jsonrpc") ? .jsonrpc : .other
        case (6, UInt8(ascii: "p")): return token(key, equals: "params") ? .params : .other
        case (6, UInt8(ascii: "r")): return token(key, equals: "result") ? .result : .other
        case (5, UInt8(ascii: "e")): return token(key, equals: "error") ? .error : .other
        default: return .other
        }
    }

    static func classify(_ envelope: MessageEnvelope, hasMethod: Bool, fault: StaticString?) -> MessageEnvelope.Kind {
        if let fault { return .invalid(fault) }
        guard envelope.hasVersion else { return .invalid("\"jsonrpc\" must be \"2.0\"") }
        if hasMethod {
            if envelope.result != nil || envelope.error != nil {
                return .invalid("a request cannot carry a result or an error")
            }
            guard let idKind = envelope.idKind else { return .notification }
            switch idKind {
            case .string, .number: return .request
            case .null: return .invalid("a request id must not be null")
            case .other: return .invalid("a request id must be a string or a number")
            }
        }
        guard envelope.id != nil else { return .invalid("a message needs a method or an id") }
        switch (envelope.result != nil, envelope.error != nil) {
        case (true, false), (false, true): return .response
        case (true, true): return .invalid("a response cannot carry both a result and an error")
        case (false, false): return .invalid("a response needs a result or an error")
        }
    }
}
