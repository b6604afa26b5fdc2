/// Lowercase hexadecimal text for bytes (digests, run ids, keys).
public enum Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// The bytes as lowercase hex, two digits per byte (digests: written straight into the string).
    public static func encode(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBufferPointer { input in
            String(unsafeUninitializedCapacity: input.count * 2) { output in
                for (index, byte) in input.enumerated() {
                    output[2 &* index] = lowercaseDigit(byte >> 4)
                    output[2 &* index &+ 1] = lowercaseDigit(byte & 0xF)
                }
                return input.count * 2
            }
        }
    }

    /// Appends the bytes as lowercase hex to `output` (a digest written into a record).
    static func append(_ bytes: [UInt8], to output: inout [UInt8]) {
        bytes.withUnsafeBytes { append($0, to: &output) }
    }

    /// Appends the bytes as lowercase hex to `output`.
    static func append(_ bytes: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        let count = bytes.count
        guard count > 0, let input = bytes.baseAddress else { return }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count &* 2) { digits in
            guard let digit = digits.baseAddress else { return }
            var index = 0
            while index < count {
                let byte = input.load(fromByteOffset: index, as: UInt8.self)
                digit[2 &* index] = lowercaseDigit(byte &>> 4)
                digit[2 &* index &+ 1] = lowercaseDigit(byte & 0xF)
                index &+= 1
            }
            output.append(contentsOf: UnsafeBufferPointer(digits))
        }
    }

    @inline(__always)
    private static func lowercaseDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") &+ nibble : UInt8(ascii: "a") &+ nibble &- 10
    }

    /// The bytes as lowercase hex, two digits per byte.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The bytes written as hex (either case accepted); nil for an odd length or a non-hex character.
    public static func decode(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = value(utf8[index]), let low = value(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    /// The value of 1 to 16 hex digits (a W3C trace id half, a checksum, a chunk size): lowercase
    /// only unless `anyCase`; nil for any other byte, no digit, or more than 16.
    public static func number(_ digits: some Collection<UInt8>, anyCase: Bool = false) -> UInt64? {
        guard !digits.isEmpty, digits.count <= 16 else { return nil }
        var result: UInt64 = 0
        for digit in digits {
            guard anyCase || digit < UInt8(ascii: "A") || digit > UInt8(ascii: "F"), let nibble = value(digit) else { return nil }
            result = result << 4 | UInt64(nibble)
        }
        return result
    }

    /// Whether `text` is exactly `count` lowercase hex digits (the form of every digest Tollgate writes).
    public static func isLowercase(_ text: String, count: Int) -> Bool {
        var seen = 0
        for byte in text.utf8 {
            guard (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
            else { return false }
            seen += 1
        }
        return seen == count
    }

    private static func value(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
