/// Serializes ``JSONValue`` trees as compact JSON: member order kept, numbers written as their
/// source text, strings escaped minimally (quote, backslash and control characters; everything
/// else as UTF-8). The output of the writer is what a server receives for an inspected call.
///
/// A streaming writer (``init(chunk:sink:)``) hands its output on in pieces as it goes, so a large
/// value is serialized without ever being held whole.
public struct JSONWriter {
    /// The bytes written so far (for a streaming writer: not yet handed on).
    public var bytes: [UInt8]
    /// Where a streaming writer hands its bytes on; nil: they stay in ``bytes``.
    let sink: ((UnsafeRawBufferPointer) -> Void)?
    /// How many bytes a streaming writer gathers before it hands them on.
    let chunk: Int

    /// Creates a writer with an empty buffer.
    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
        sink = nil
        chunk = .max
    }

    /// Creates a streaming writer: once ``bytes`` holds `chunk` bytes they go to `sink` (a long
    /// string in pieces of `chunk` bytes), so it holds little more than `chunk` bytes; ``finish()``
    /// hands on the rest.
    public init(chunk: Int, sink: @escaping (UnsafeRawBufferPointer) -> Void) {
        self.chunk = max(chunk, 1)
        self.sink = sink
        bytes = []
        bytes.reserveCapacity(min(self.chunk, 64 << 10) + 64)
    }

    /// Appends a value.
    public mutating func write(_ value: JSONValue) {
        switch value {
        case .null: append("null")
        case .bool(let flag): append(flag ? "true" : "false")
        case .number(let text): bytes.append(contentsOf: text.utf8)
        case .string(let text): write(string: text)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                write(element)
                handOnIfFull()
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let object):
            bytes.append(UInt8(ascii: "{"))
            for (index, member) in object.members.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                write(string: member.key)
                bytes.append(UInt8(ascii: ":"))
                write(member.value)
                handOnIfFull()
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// Appends a string literal with minimal escaping.
    public mutating func write(string: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = string
        text.withUTF8 { utf8 in
            guard utf8.count > chunk else { return appendEscaped(utf8) }
            // A streaming writer escapes a long string piece by piece (escapes are per byte, so
            // any cut will do) and hands each piece on.
            var offset = 0
            while offset < utf8.count {
                let piece = min(chunk, utf8.count - offset)
                appendEscaped(UnsafeBufferPointer(rebasing: utf8[offset..<(offset + piece)]))
                handOnIfFull()
                offset += piece
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends UTF-8 with quote, backslash and control characters escaped.
    private mutating func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        guard let base = utf8.baseAddress else { return }
        var runStart = 0
        var i = 0
        while i < utf8.count {
            // Eight bytes at a time while none needs an escape (the lowest flag is exact).
            while i + 8 <= utf8.count {
                let flags = JSONScanner.bytesToEscape(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
                if flags != 0 {
                    i += flags.trailingZeroBitCount >> 3
                    break
                }
                i += 8
            }
            guard i < utf8.count else { break }
            let b = base[i]
            if b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") {
                bytes.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: i - runStart))
                runStart = i + 1
                escape(b)
            }
            i += 1
        }
        bytes.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: utf8.count - runStart))
    }

    /// Appends the escape of a byte that cannot appear raw in a string literal.
    private mutating func escape(_ b: UInt8) {
        switch b {
        case UInt8(ascii: "\""): append("\\\"")
        case UInt8(ascii: "\\"): append("\\\\")
        case 0x0A: append("\\n")
        case 0x0D: append("\\r")
        case 0x09: append("\\t")
        case 0x08: append("\\b")
        case 0x0C: append("\\f")
        default:
            append("\\u00")
            bytes.append(Self.hexDigit(b >> 4))
            bytes.append(Self.hexDigit(b & 0xF))
        }
    }

    /// Appends bytes that already are valid JSON (for example an id kept as its source bytes).
    public mutating func write(raw: some Sequence<UInt8>) {
        bytes.append(contentsOf: raw)
    }

    /// Appends the UTF-8 of text that needs no escaping (hex digests, timestamps) verbatim.
    public mutating func write(unescaped text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// Appends an integer in decimal.
    public mutating func write(integer: Int) {
        var magnitude = integer.magnitude
        if integer < 0 { bytes.append(UInt8(ascii: "-")) }
        guard magnitude >= 10 else { return bytes.append(UInt8(ascii: "0") &+ UInt8(magnitude)) }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for the 20 digits of any Int
        withUnsafeMutableBytes(of: &digits) { buffer in
            var index = buffer.count
            while magnitude > 0 {
                index -= 1
                buffer[index] = UInt8(ascii: "0") &+ UInt8(magnitude % 10)
                magnitude /= 10
            }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[index...]))
        }
    }

    /// Appends ASCII text verbatim.
    public mutating func append(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}

extension JSONValue {
    /// The compact serialization of this value.
    public var serialized: [UInt8] {
        var writer = JSONWriter()
        writer.write(self)
        return writer.bytes
    }

    /// The compact serialization as text.
    public var jsonText: String { String(decoding: serialized, as: UTF8.self) }
}
