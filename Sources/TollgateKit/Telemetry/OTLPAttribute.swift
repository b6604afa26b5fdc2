/// One attribute of a span, data point, log record or resource (`KeyValue` in OTLP).
public struct OTLPAttribute: Sendable, Equatable {
    /// An attribute's value (`AnyValue`).
    public enum Value: Sendable, Equatable {
        case string(String)
        case int(Int64)
        case double(Double)
        case bool(Bool)
        case strings([String])
        case doubles([Double])
    }

    public var key: String
    public var value: Value

    public init(_ key: String, _ value: Value) {
        self.key = key
        self.value = value
    }

    public init(_ key: String, _ text: String) {
        self.init(key, .string(text))
    }
}
