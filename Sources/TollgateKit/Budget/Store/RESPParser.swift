/// Reads RESP2 replies from the bytes a server sent, as a pure function of those bytes.
///
/// Bounded: a bulk string of at most ``maxBulkBytes``, arrays of at most ``maxElements``
/// elements, nested at most ``maxDepth`` deep; anything else is malformed (the connection is
/// then dropped, never read further).
public enum RESPParser {
    /// What the bytes from an offset hold.
    public enum Outcome: Sendable, Equatable {
        /// A whole reply, ending at `end`.
        case reply(RESPValue, end: Int)
        /// Not a whole reply yet: parse again once the buffer holds at least `needed` bytes.
        case incomplete(needed: Int)
    }

    /// Why bytes are not RESP2.
    public struct Malformed: Error, Sendable, Equatable, CustomStringConvertible {
        /// What was wrong, and at which offset.
        public var description: String
    }

    /// The longest bulk string read: 64 MiB.
    public static let maxBulkBytes = 64 << 20
    /// The most elements of one array.
    public static let maxElements = 1 << 20
    /// The deepest nesting of arrays.
    public static let maxDepth = 8

    /// Reads one reply from `buffer` at `offset`.
    public static func parse(_ buffer: [UInt8], at offset: Int) throws(Malformed) -> Outcome {
        var position = offset
        switch try value(buffer, &position, depth: 0) {
        case .some(let value): return .reply(value, end: position)
        case .none: return .incomplete(needed: Swift.max(position, buffer.count + 1))
        }
    }

    /// The reply at `position` (advanced past it), or nil when incomplete, `position` then the
    /// least buffer size worth parsing again at.
    private static func value(_ buffer: [UInt8], _ position: inout Int, depth: Int) throws(Malformed) -> RESPValue? {
        guard position < buffer.count else {
            position = buffer.count + 1
            return nil
        }
        let kind = buffer[position]
        let start = position
        guard let lineEnd = try lineEnd(buffer, from: position + 1) else {
            position = buffer.count + 1
            return nil
        }
        let line = buffer[(position + 1)..<lineEnd]
        position = lineEnd + 2
        switch kind {
        case UInt8(ascii: "+"):
            return .simple(Array(line))
        case UInt8(ascii: "-"):
            return .error(Array(line))
        case UInt8(ascii: ":"):
            guard let number = integer(line) else { throw Malformed(description: "an integer reply that is not a number at byte \(start)") }
            return .integer(number)
        case UInt8(ascii: "$"):
            guard let length = integer(line), length >= -1, length <= Int64(maxBulkBytes) else {
                throw Malformed(description: "a bulk string length out of range at byte \(start)")
            }
            if length == -1 { return .bulk(nil) }
            let end = position + Int(length)
            guard end + 2 <= buffer.count else {
                position = end + 2
                return nil
            }
            guard buffer[end] == 0x0D, buffer[end + 1] == 0x0A else { throw Malformed(description: "a bulk string not ended by CRLF at byte \(end)") }
            let bytes = Array(buffer[position..<end])
            position = end + 2
            return .bulk(bytes)
        case UInt8(ascii: "*"):
            guard let count = integer(line), count >= -1, count <= Int64(maxElements) else {
                throw Malformed(description: "an array length out of range at byte \(start)")
            }
            if count == -1 { return .array(nil) }
            guard depth < maxDepth else { throw Malformed(description: "arrays nested deeper than \(maxDepth) at byte \(start)") }
            var elements: [RESPValue] = []
            elements.reserveCapacity(Swift.min(Int(count), 1024))
            for _ in 0..<count {
                guard let element = try value(buffer, &position, depth: depth + 1) else { return nil }
                elements.append(element)
            }
            return .array(elements)
        default:
            throw Malformed(description: "an unknown reply type 0x\(String(kind, radix: 16)) at byte \(start)")
        }
    }

    /// The longest line header accepted (a type byte, a number, CRLF; errors and simple strings
    /// are short texts).
    static let maxLineBytes = 64 * 1024

    /// Where the CR of the CRLF ending the line from `start` is, or nil when it has not arrived.
    private static func lineEnd(_ buffer: [UInt8], from start: Int) throws(Malformed) -> Int? {
        var index = start
        while index + 1 < buffer.count {
            if buffer[index] == 0x0D {
                guard buffer[index + 1] == 0x0A else { throw Malformed(description: "a CR without LF at byte \(index)") }
                return index
            }
            index += 1
            if index - start > maxLineBytes { throw Malformed(description: "a line longer than \(maxLineBytes) bytes at byte \(start)") }
        }
        return nil
    }

    /// The decimal integer `bytes` spell (an optional `-`, then digits), or nil.
    static func integer(_ bytes: ArraySlice<UInt8>) -> Int64? {
        var rest = bytes[...]
        let negative = rest.first == UInt8(ascii: "-")
        if negative { rest = rest.dropFirst() }
        guard !rest.isEmpty, rest.count <= 19 else { return nil }
        var value: Int64 = 0
        for byte in rest {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (product, overflow) = value.multipliedReportingOverflow(by: 10)
            guard !overflow else { return nil }
            let (sum, overflowed) = product.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            guard !overflowed else { return nil }
            value = sum
        }
        return negative ? -value : value
    }
}
