/// What the call path hands to telemetry: plain values, copied into a bounded queue and turned
/// into spans, metrics and log records by the exporter thread (see ``Telemetry/record(_:)``).
public enum TelemetryEvent: Sendable {
    /// A call was decided (allowed, denied, would-be denied) or, after approval, decided at last.
    case decided(CallDecision)
    /// A call was held for a person's approval; its ``decided(_:)`` follows.
    case held(CallHold)
    /// A forwarded call ended.
    case ended(CallEnd)
    /// Where the budgets stand (sampled now and then, not per call).
    case budgets(Forecast)
    /// Something to count happened (a reload, a restart, a failure).
    case counted(TelemetryCounter)
}
