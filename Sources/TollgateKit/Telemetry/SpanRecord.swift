/// A finished span, ready to be encoded (`Span` in OTLP).
struct SpanRecord: Sendable {
    /// `Span.SpanKind` values.
    enum Kind: Int, Sendable {
        case server = 2
        case client = 3
    }

    /// `Status.StatusCode` values.
    enum StatusCode: Int, Sendable {
        case unset = 0
        case ok = 1
        case error = 2
    }

    var traceHigh: UInt64
    var traceLow: UInt64
    var spanID: UInt64
    /// The parent span's id (0: a root span).
    var parentSpanID: UInt64 = 0
    var traceState: String?
    var name: String
    var kind: Kind
    /// Wall-clock nanoseconds since the Unix epoch.
    var start: Int64
    var end: Int64
    var attributes: [OTLPAttribute]
    var status = StatusCode.unset
    var statusMessage: String?
    /// Whether the parent span is in another process (the client's).
    var parentIsRemote = false
}
