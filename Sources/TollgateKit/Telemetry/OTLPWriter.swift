/// Writes OTLP/JSON (the protobuf JSON mapping with OTLP's rules): field names in lowerCamelCase,
/// trace and span ids as lowercase hex, 64-bit integers as decimal strings, enums as integers.
/// Written directly as bytes; no JSON tree is built.
struct OTLPWriter {
    /// The JSON written so far.
    var json = JSONWriter(capacity: 4096)

    /// Appends text the caller knows needs no escaping (keys, punctuation).
    mutating func raw(_ text: StaticString) { json.append(text) }

    /// Appends a string value, escaped.
    mutating func string(_ text: String) { json.write(string: text) }

    /// Appends a 64-bit integer as a JSON string (`"42"`).
    mutating func int64(_ value: Int64) {
        json.bytes.append(UInt8(ascii: "\""))
        json.write(integer: Int(value))
        json.bytes.append(UInt8(ascii: "\""))
    }

    /// Appends a 64-bit unsigned integer as a JSON string.
    mutating func uint64(_ value: UInt64) {
        json.bytes.append(UInt8(ascii: "\""))
        json.bytes.append(contentsOf: String(value).utf8)
        json.bytes.append(UInt8(ascii: "\""))
    }

    /// Appends a 32-bit integer (an enum's value, a count) as a JSON number.
    mutating func int(_ value: Int) { json.write(integer: value) }

    /// Appends a double as a JSON number (not finite: 0, which JSON cannot hold otherwise).
    mutating func double(_ value: Double) {
        guard value.isFinite else { return json.append("0") }
        if value == value.rounded(), abs(value) < 1e15 {
            json.write(integer: Int(value))
        } else {
            json.bytes.append(contentsOf: "\(value)".utf8)
        }
    }

    /// Appends 8 bytes as 16 lowercase hex digits, quoted.
    mutating func hex(_ value: UInt64) {
        json.bytes.append(UInt8(ascii: "\""))
        appendHex(value)
        json.bytes.append(UInt8(ascii: "\""))
    }

    /// Appends 16 bytes (two big-endian halves) as 32 lowercase hex digits, quoted.
    mutating func hex(high: UInt64, low: UInt64) {
        json.bytes.append(UInt8(ascii: "\""))
        appendHex(high)
        appendHex(low)
        json.bytes.append(UInt8(ascii: "\""))
    }

    private mutating func appendHex(_ value: UInt64) {
        for shift in stride(from: 60, through: 0, by: -4) {
            let nibble = UInt8(truncatingIfNeeded: value >> UInt64(shift)) & 0xF
            json.bytes.append(nibble < 10 ? 0x30 + nibble : 0x61 + nibble - 10)
        }
    }

    /// Appends `"attributes":[…]` (nothing when there are none), preceded by a comma when `comma`.
    mutating func attributes(_ attributes: [OTLPAttribute], comma: Bool = true) {
        guard !attributes.isEmpty else { return }
        if comma { raw(",") }
        raw(#""attributes":["#)
        for (index, attribute) in attributes.enumerated() {
            if index > 0 { raw(",") }
            raw(#"{"key":"#)
            string(attribute.key)
            raw(#","value":"#)
            value(attribute.value)
            raw("}")
        }
        raw("]")
    }

    /// Appends an `AnyValue`.
    mutating func value(_ value: OTLPAttribute.Value) {
        switch value {
        case .string(let text): raw(#"{"stringValue":"#); string(text); raw("}")
        case .int(let number): raw(#"{"intValue":"#); int64(number); raw("}")
        case .double(let number): raw(#"{"doubleValue":"#); double(number); raw("}")
        case .bool(let flag): raw(flag ? #"{"boolValue":true}"# : #"{"boolValue":false}"#)
        case .strings(let texts): array(texts.map(OTLPAttribute.Value.string))
        case .doubles(let numbers): array(numbers.map(OTLPAttribute.Value.double))
        }
    }

    private mutating func array(_ values: [OTLPAttribute.Value]) {
        raw(#"{"arrayValue":{"values":["#)
        for (index, element) in values.enumerated() {
            if index > 0 { raw(",") }
            value(element)
        }
        raw("]}}")
    }

    /// Appends `"resource":{…},"scope…":[{"scope":{…},` — the common head of one resource's
    /// data; `list` is `scopeSpans`, `scopeMetrics` or `scopeLogs`. Close with ``closeResource()``.
    mutating func openResource(_ resource: [OTLPAttribute], list: StaticString, scope: TelemetryScope) {
        raw(#"{"resource":{"#)
        attributes(resource, comma: false)
        raw("},\"")
        raw(list)
        raw(#"":[{"scope":{"name":"#)
        string(scope.name)
        raw(#","version":"#)
        string(scope.version)
        raw("},")
    }

    /// Closes what ``openResource(_:list:scope:)`` opened.
    mutating func closeResource() { raw("}]}") }
}

/// The instrumentation scope of everything Tollgate exports.
struct TelemetryScope: Sendable {
    var name = "tollgate"
    var version = Usage.version
}
