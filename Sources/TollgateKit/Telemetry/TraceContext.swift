/// A W3C Trace Context (`traceparent`, `tracestate`): the caller's span, which Tollgate's span
/// takes as its parent.
public struct TraceContext: Sendable, Equatable {
    /// The trace id: 16 bytes, as two big-endian halves.
    public var traceHigh: UInt64
    public var traceLow: UInt64
    /// The parent span's id: 8 bytes, big-endian.
    public var spanID: UInt64
    /// Whether the caller sampled its span (`trace-flags` bit 0).
    public var sampled: Bool
    /// The vendors' `tracestate`, as received (when it was well-formed).
    public var state: String?

    public init(traceHigh: UInt64, traceLow: UInt64, spanID: UInt64, sampled: Bool, state: String? = nil) {
        self.traceHigh = traceHigh
        self.traceLow = traceLow
        self.spanID = spanID
        self.sampled = sampled
        self.state = state
    }

    /// The longest `tracestate` kept (the W3C limit is 512 characters).
    public static let maxStateBytes = 512

    /// Reads `traceparent` (`version-traceid-parentid-flags`, lowercase hex); nil when it is
    /// malformed, names the invalid version `ff`, or an all-zero trace or span id. A version
    /// above `00` may carry more after the flags (`-…`), which is ignored. `tracestate` is kept
    /// when it is printable ASCII of at most ``maxStateBytes`` bytes.
    public init?(traceparent: String, tracestate: String? = nil) {
        let bytes = Array(traceparent.utf8)
        guard bytes.count >= 55, bytes[2] == 0x2D, bytes[35] == 0x2D, bytes[52] == 0x2D,
            let version = Hex.number(bytes[0..<2]), version != 0xFF,
            let high = Hex.number(bytes[3..<19]), let low = Hex.number(bytes[19..<35]),
            let span = Hex.number(bytes[36..<52]), let flags = Hex.number(bytes[53..<55])
        else { return nil }
        if version == 0 {
            guard bytes.count == 55 else { return nil }
        } else if bytes.count > 55, bytes[55] != 0x2D {
            return nil
        }
        guard high | low != 0, span != 0 else { return nil }
        self.init(traceHigh: high, traceLow: low, spanID: span, sampled: flags & 1 == 1)
        if let tracestate, tracestate.utf8.count <= Self.maxStateBytes, tracestate.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            state = tracestate
        }
    }
}
