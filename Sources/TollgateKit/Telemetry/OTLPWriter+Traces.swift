/// Spans as an `ExportTraceServiceRequest`.
extension OTLPWriter {
    /// Appends an `ExportTraceServiceRequest` holding `spans` (at least one).
    mutating func traces(_ spans: [SpanRecord], resource: [OTLPAttribute], scope: TelemetryScope) {
        raw(#"{"resourceSpans":["#)
        openResource(resource, list: "scopeSpans", scope: scope)
        raw(#""spans":["#)
        for (index, span) in spans.enumerated() {
            if index > 0 { raw(",") }
            self.span(span)
        }
        raw("]")
        closeResource()
        raw("]}")
    }

    private mutating func span(_ span: SpanRecord) {
        raw(#"{"traceId":"#)
        hex(high: span.traceHigh, low: span.traceLow)
        raw(#","spanId":"#)
        hex(span.spanID)
        if let state = span.traceState {
            raw(#","traceState":"#)
            string(state)
        }
        if span.parentSpanID != 0 {
            raw(#","parentSpanId":"#)
            hex(span.parentSpanID)
        }
        // SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK (0x100), with IS_REMOTE (0x200) for a remote parent.
        raw(#","flags":"#)
        int(span.parentIsRemote ? 0x301 : 0x101)
        raw(#","name":"#)
        string(span.name)
        raw(#","kind":"#)
        int(span.kind.rawValue)
        raw(#","startTimeUnixNano":"#)
        int64(span.start)
        raw(#","endTimeUnixNano":"#)
        int64(span.end)
        attributes(span.attributes)
        if span.status != .unset {
            raw(#","status":{"code":"#)
            int(span.status.rawValue)
            if let message = span.statusMessage {
                raw(#","message":"#)
                string(message)
            }
            raw("}")
        }
        raw("}")
    }
}
