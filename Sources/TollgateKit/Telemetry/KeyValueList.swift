/// The `name=value,name=value` lists of `OTEL_EXPORTER_OTLP_HEADERS` and
/// `OTEL_RESOURCE_ATTRIBUTES` (the W3C Baggage form): values percent-decoded, blanks around names
/// and values trimmed, empty entries skipped.
enum KeyValueList {
    /// The pairs of `text`, in order; throws for an entry without `=`, an empty name, or a bad escape.
    static func parse(_ text: String) throws(TelemetryConfigurationError) -> [(name: String, value: String)] {
        var pairs: [(name: String, value: String)] = []
        for entry in text.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: true) {
            guard !trimmed(entry).isEmpty else { continue }
            guard let equals = entry.firstIndex(of: UInt8(ascii: "=")) else {
                throw TelemetryConfigurationError("an entry is not name=value")
            }
            let name = String(decoding: trimmed(entry[..<equals]), as: UTF8.self)
            guard !name.isEmpty else { throw TelemetryConfigurationError("an entry has an empty name") }
            guard let value = percentDecoded(trimmed(entry[entry.index(after: equals)...])) else {
                throw TelemetryConfigurationError("the value of \(name) holds a malformed %-escape")
            }
            pairs.append((name, value))
        }
        return pairs
    }

    /// `bytes` without spaces and tabs around them.
    private static func trimmed<Bytes: BidirectionalCollection<UInt8>>(_ bytes: Bytes) -> Bytes.SubSequence {
        let isBlank = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
        guard let first = bytes.firstIndex(where: { !isBlank($0) }), let last = bytes.lastIndex(where: { !isBlank($0) }) else {
            return bytes[bytes.endIndex...]
        }
        return bytes[first...last]
    }

    /// `%XX` escapes decoded; nil for a malformed escape or bytes that are not UTF-8.
    static func percentDecoded(_ bytes: some Collection<UInt8>) -> String? {
        var output: [UInt8] = []
        var iterator = bytes.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                output.append(byte)
                continue
            }
            guard let high = iterator.next(), let low = iterator.next(), let value = Hex.number([high, low], anyCase: true) else {
                return nil
            }
            output.append(UInt8(value))
        }
        return String(validating: output, as: UTF8.self)
    }

    /// Whether two ASCII words are the same letters, whatever their case (byte for byte otherwise).
    static func sameIgnoringASCIICase(_ a: String, _ b: String) -> Bool {
        func folded(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }
        return a.utf8.count == b.utf8.count && zip(a.utf8, b.utf8).allSatisfy { folded($0) == folded($1) }
    }
}
