import Testing
@testable import TollgateKit

@Suite("JSONWriter: streaming, and comparing a serialization with bytes")
struct JSONWriterStreamingTests {
    /// Values with long strings (escapes, multi-byte characters cut anywhere), deep and wide containers.
    static let values: [JSONValue] = [
        .string(String(repeating: "ab\"c\\\u{1}é😀\n", count: 5000)),
        .object(["k": .array([.string(String(repeating: "x", count: 100_000)), .number("-1.50e3"), nil, true]),
                 "é\u{0}": ["nested": .string(String(repeating: "€", count: 30_000))]]),
        .array(Array(repeating: .object(["a": 1, "b": "c"]), count: 10_000)),
        "", [], [:], 7,
    ]

    @Test("a streaming writer hands on exactly what a plain writer writes, in pieces of about its chunk", arguments: [1, 7, 4096])
    func piecesMakeTheWhole(chunk: Int) {
        for value in Self.values {
            var pieces: [[UInt8]] = []
            var writer = JSONWriter(chunk: chunk) { pieces.append(Array($0)) }
            writer.write(value)
            writer.finish()
            #expect(writer.bytes.isEmpty)
            #expect(pieces.flatMap { $0 } == value.serialized)
            // A piece passes the chunk by at most what one step writes: a string's piece, escaped.
            #expect(pieces.allSatisfy { $0.count <= 6 * chunk + 16 }, "\(pieces.map(\.count).max() ?? 0) bytes")
        }
    }

    @Test("serializes(_:as:) is true for exactly the bytes the writer writes")
    func comparesWithBytes() {
        for value in Self.values {
            let serialized = value.serialized
            #expect(serialized.withUnsafeBytes { JSONWriter.serializes(value, as: $0) })
            #expect(!(serialized + [0x20]).withUnsafeBytes { JSONWriter.serializes(value, as: $0) }, "longer")
            #expect(!serialized.dropLast().withUnsafeBytes { JSONWriter.serializes(value, as: $0) }, "shorter")
            var changed = serialized
            changed[changed.count / 2] ^= 0x01
            #expect(!changed.withUnsafeBytes { JSONWriter.serializes(value, as: $0) }, "a byte differs")
        }
        let spaced = bytes(#"{"a": 1}"#)
        #expect(!spaced.withUnsafeBytes { JSONWriter.serializes(["a": 1], as: $0) }, "whitespace differs")
    }

    @Test("the writer finds a byte to escape at every position of the words it scans eight bytes at a time")
    func escapesAtEveryPosition() throws {
        /// Escapes byte by byte, as the JSON grammar requires.
        func reference(_ string: String) -> [UInt8] {
            var out: [UInt8] = [UInt8(ascii: "\"")]
            for b in string.utf8 {
                switch b {
                case UInt8(ascii: "\""): out += bytes(#"\""#)
                case UInt8(ascii: "\\"): out += bytes(#"\\"#)
                case 0x0A: out += bytes(#"\n"#)
                case 0x0D: out += bytes(#"\r"#)
                case 0x09: out += bytes(#"\t"#)
                case 0x08: out += bytes(#"\b"#)
                case 0x0C: out += bytes(#"\f"#)
                case ..<0x20: out += bytes(#"\u00"#) + bytes(String(b >> 4, radix: 16)) + bytes(String(b & 0xF, radix: 16))
                default: out.append(b)
                }
            }
            return out + [UInt8(ascii: "\"")]
        }
        for special in ["\"", "\\", "\u{0}", "\u{1F}", "\n", "\u{7F}", "é", "😀", " "] {
            for position in 0..<20 {
                for tail in [0, 3, 9] {
                    let string = String(repeating: "a", count: position) + special + String(repeating: "ü", count: tail)
                    var writer = JSONWriter()
                    writer.write(string: string)
                    #expect(writer.bytes == reference(string), "\(special.unicodeScalars.map { $0.value }) at \(position)")
                    #expect(try json(writer.bytes) == .string(string))
                }
            }
        }
    }

    @Test("a long string with escapes decodes whole, straight into its storage")
    func longEscapedString() throws {
        let unit = #"plain \"q\" \\ \n \u00e9 \ud83d\ude00 \/ "#
        let source = "\"" + String(repeating: unit, count: 20_000) + "\""
        let decoded = try #require(try json(source).stringValue)
        #expect(decoded == String(repeating: "plain \"q\" \\ \n é 😀 / ", count: 20_000))
    }
}
