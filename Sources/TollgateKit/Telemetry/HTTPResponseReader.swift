/// Reads one HTTP/1.1 response from the bytes received so far (pure): the status, and whether
/// the connection may carry the next request. Bodies are read with `Content-Length`, chunked, or
/// until the connection closes, and thrown away (OTLP's answers matter only by their status).
enum HTTPResponseReader {
    /// The most bytes of a response's head and of its body that are read.
    static let maxHeadBytes = 16_384
    static let maxBodyBytes = 1 << 20

    /// What the bytes so far amount to.
    enum Reading: Equatable {
        /// More bytes are needed (`closed`: none will come).
        case incomplete
        /// A whole response: its status, and whether the connection stays open.
        case complete(status: Int, keepAlive: Bool)
        /// Not HTTP, or past the limits.
        case malformed(String)
    }

    /// Reads `bytes`; `closed` says the peer closed the connection after them.
    static func read(_ bytes: [UInt8], closed: Bool) -> Reading {
        var start = 0
        // Interim 1xx responses (100 Continue) come before the final one.
        while true {
            guard let headEnd = find([0x0D, 0x0A, 0x0D, 0x0A], in: bytes, from: start) else {
                if bytes.count - start > maxHeadBytes { return .malformed("a response head over \(maxHeadBytes) bytes") }
                return closed ? .malformed("the connection closed before the response was complete") : .incomplete
            }
            let lines = bytes[start..<headEnd].split(separator: 0x0A, omittingEmptySubsequences: false).map { $0.last == 0x0D ? $0.dropLast() : $0 }
            guard let statusLine = lines.first, let status = statusCode(statusLine) else {
                return .malformed("not an HTTP/1.x status line")
            }
            let bodyStart = headEnd + 4
            if (100...199).contains(status) {
                start = bodyStart
                continue
            }
            var length: Int?
            var chunked = false
            var keepAlive = statusLine.starts(with: Array("HTTP/1.1".utf8))
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return .malformed("a header line without ':'") }
                let name = String(decoding: line[..<colon], as: UTF8.self)
                var valueBytes = line[line.index(after: colon)...].drop { $0 == 0x20 || $0 == 0x09 }
                while let last = valueBytes.last, last == 0x20 || last == 0x09 { valueBytes = valueBytes.dropLast() }
                let value = String(decoding: valueBytes, as: UTF8.self)
                if KeyValueList.sameIgnoringASCIICase(name, "content-length") {
                    guard !valueBytes.isEmpty, valueBytes.count <= 10, valueBytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                        let number = Int(value), length == nil || length == number
                    else { return .malformed("a bad Content-Length") }
                    length = number
                } else if KeyValueList.sameIgnoringASCIICase(name, "transfer-encoding") {
                    chunked = value.utf8.count >= 7 && KeyValueList.sameIgnoringASCIICase(String(decoding: value.utf8.suffix(7), as: UTF8.self), "chunked")
                } else if KeyValueList.sameIgnoringASCIICase(name, "connection") {
                    if KeyValueList.sameIgnoringASCIICase(value, "close") { keepAlive = false }
                    if KeyValueList.sameIgnoringASCIICase(value, "keep-alive") { keepAlive = true }
                }
            }
            if status == 204 || status == 304 { return .complete(status: status, keepAlive: keepAlive) }
            if chunked { return readChunks(bytes, from: bodyStart, closed: closed, status: status, keepAlive: keepAlive) }
            if let length {
                guard length <= maxBodyBytes else { return .malformed("a body over \(maxBodyBytes) bytes") }
                if bytes.count - bodyStart >= length { return .complete(status: status, keepAlive: keepAlive) }
                return closed ? .malformed("the connection closed inside the body") : .incomplete
            }
            // No length: the body runs until the connection closes.
            if bytes.count - bodyStart > maxBodyBytes { return .malformed("a body over \(maxBodyBytes) bytes") }
            return closed ? .complete(status: status, keepAlive: false) : .incomplete
        }
    }

    /// The status of `HTTP/1.x NNN reason`.
    private static func statusCode(_ line: ArraySlice<UInt8>) -> Int? {
        let bytes = Array(line)
        guard bytes.count >= 12, bytes.starts(with: Array("HTTP/1.".utf8)), bytes[8] == 0x20,
            bytes[9...11].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), bytes.count == 12 || bytes[12] == 0x20
        else { return nil }
        return Int(bytes[9] - 0x30) * 100 + Int(bytes[10] - 0x30) * 10 + Int(bytes[11] - 0x30)
    }

    /// A chunked body: `size[;ext]CRLF data CRLF` … `0CRLF` trailers `CRLF`.
    private static func readChunks(_ bytes: [UInt8], from start: Int, closed: Bool, status: Int, keepAlive: Bool) -> Reading {
        var position = start
        var total = 0
        while true {
            guard let lineEnd = find([0x0D, 0x0A], in: bytes, from: position) else {
                return closed ? .malformed("the connection closed inside a chunked body") : .incomplete
            }
            let sizeText = bytes[position..<lineEnd].prefix { $0 != UInt8(ascii: ";") }
            guard !sizeText.isEmpty, sizeText.count <= 8, let size = Hex.number(sizeText, anyCase: true) else {
                return .malformed("a bad chunk size")
            }
            total += Int(size)
            guard total <= maxBodyBytes else { return .malformed("a body over \(maxBodyBytes) bytes") }
            position = lineEnd + 2
            if size == 0 {
                // Trailers, each ending in CRLF, then an empty line.
                while true {
                    guard let end = find([0x0D, 0x0A], in: bytes, from: position) else {
                        return closed ? .malformed("the connection closed inside the trailers") : .incomplete
                    }
                    if end == position { return .complete(status: status, keepAlive: keepAlive) }
                    position = end + 2
                }
            }
            guard bytes.count >= position + Int(size) + 2 else {
                return closed ? .malformed("the connection closed inside a chunk") : .incomplete
            }
            guard bytes[position + Int(size)] == 0x0D, bytes[position + Int(size) + 1] == 0x0A else { return .malformed("a chunk without its CRLF") }
            position += Int(size) + 2
        }
    }

    /// Where `pattern` first occurs in `bytes` at or after `start`.
    private static func find(_ pattern: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard bytes.count >= pattern.count, start <= bytes.count - pattern.count else { return nil }
        var index = start
        while index <= bytes.count - pattern.count {
            if bytes[index] == pattern[0], bytes[index..<index + pattern.count].elementsEqual(pattern) { return index }
            index += 1
        }
        return nil
    }
}
