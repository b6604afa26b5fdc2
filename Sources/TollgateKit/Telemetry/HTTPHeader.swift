/// A request header Tollgate sends to the collector (from `OTEL_EXPORTER_OTLP_HEADERS` or the
/// manifest): a token name and a value without control characters, so neither can end the header.
public struct HTTPHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    /// A header; throws when the name is not an HTTP token or the value holds a control character.
    public init(name: String, value: String) throws(TelemetryConfigurationError) {
        let tokenPunctuation = Array("!#$%&'*+-.^_`|~".utf8)
        guard !name.isEmpty, name.utf8.allSatisfy({ byte in
            (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || tokenPunctuation.contains(byte)
        }) else {
            throw TelemetryConfigurationError("header name \"\(name)\" is not an HTTP token (letters, digits and !#$%&'*+-.^_`|~)")
        }
        guard value.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7F || $0 == 0x09 }) else {
            throw TelemetryConfigurationError("the value of header \(name) holds a control character")
        }
        self.name = name
        self.value = value
    }

    /// Reads `name=value,name=value` (see ``KeyValueList``).
    public static func list(_ text: String) throws(TelemetryConfigurationError) -> [HTTPHeader] {
        var headers: [HTTPHeader] = []
        for pair in try KeyValueList.parse(text) { headers.append(try HTTPHeader(name: pair.name, value: pair.value)) }
        return headers
    }
}
