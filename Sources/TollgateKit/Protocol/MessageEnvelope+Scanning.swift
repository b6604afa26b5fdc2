extension MessageEnvelope {
    /// Scans one line (a message or a batch), checking all of it: grammar, UTF-8, escapes,
    /// duplicate keys at every level and the nesting limit.
    public static func scan(
        _ line: UnsafeRawBufferPointer, maxDepth: Int = JSONScanner.defaultMaxDepth
    ) -> Result<ScannedLine, MalformedLine> {
        var scanner = JSONScanner(line, maxDepth: maxDepth)
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
    mutating func scanEnvelope(into envelope: inout MessageEnvelope, depth: Int) throws(JSONScanError) {
        guard try peekSignificant() == UInt8(ascii: "{") else {
            let valueStart = position
            try skipValue(depth: depth)
            envelope.kind = .invalid("message is not a JSON object")
            envelope.span = valueStart..<position
            return
        }
        let start = position
        var fault: StaticString?
        var hasMethod = false
        try scanObject(depth: depth) { (scanner: inout JSONScanner, key: StringToken) throws(JSONScanError) in
            let member = scanner.envelopeMember(key)
            if member == .id {
                let first = try scanner.peekSignificant()
                let idStart = scanner.position
                switch first {
                case UInt8(ascii: "\""):
                    let token = try scanner.scanString()
                    envelope.idKind = .string
                    envelope.idHasEscapes = token.hasEscapes
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    _ = try scanner.scanNumber()
                    envelope.idKind = .number
                default:
                    try scanner.skipValue(depth: depth + 1)
                    envelope.idKind = first == UInt8(ascii: "n") ? .null : .other
                }
                envelope.id = idStart..<scanner.position
            } else if member == .method {
                hasMethod = true
                if try scanner.peekSignificant() == UInt8(ascii: "\"") {
                    envelope.method = scanner.decodeString(try scanner.scanString())
                } else {
                    try scanner.skipValue(depth: depth + 1)
                    fault = "method is not a string"
                }
            } else if member == .jsonrpc {
                if try scanner.peekSignificant() == UInt8(ascii: "\"") {
                    envelope.hasVersion = scanner.token(try scanner.scanString(), equals: "2.0")
                } else {
                    try scanner.skipValue(depth: depth + 1)
                }
            } else if member == .params {
                let first = try scanner.peekSignificant()
                let paramsStart = scanner.position
                try scanner.skipValue(depth: depth + 1)
                envelope.params = paramsStart..<scanner.position
                if first != UInt8(ascii: "{") && first != UInt8(ascii: "[") {
                    fault = "params must be an object or an array"
                }
            } else if member == .result {
                _ = try scanner.peekSignificant()
                let resultStart = scanner.position
                try scanner.skipValue(depth: depth + 1)
                envelope.result = resultStart..<scanner.position
            } else if member == .error {
                _ = try scanner.peekSignificant()
                let errorStart = scanner.position
                try scanner.skipValue(depth: depth + 1)
                envelope.error = errorStart..<scanner.position
            } else {
                try scanner.skipValue(depth: depth + 1)
                envelope.hasExtraMembers = true
            }
        }
        envelope.span = start..<position
        envelope.kind = Self.classify(envelope, hasMethod: hasMethod, fault: fault)
    }

    enum EnvelopeMember { case id, method, jsonrpc, params, result, error, other }

    /// Which JSON-RPC member a key names (one comparison at most for unescaped keys).
    @inline(__always)
    func envelopeMember(_ key: StringToken) -> EnvelopeMember {
        if key.hasEscapes {
            switch decodeString(key) {
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

    private static func classify(_ envelope: MessageEnvelope, hasMethod: Bool, fault: StaticString?) -> MessageEnvelope.Kind {
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
