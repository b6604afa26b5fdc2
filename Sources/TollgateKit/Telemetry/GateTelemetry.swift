/// What the effects keep to report to telemetry: the sink, the client's name, and when budgets
/// were last sampled. ``CallEffects`` builds the events where it carries decisions out
/// (`CallEffects+Telemetry.swift`), off the session's lock.
public struct GateTelemetry: Sendable {
    /// Where events go.
    public let sink: Telemetry
    /// The client's name (`clientInfo.name`), once known.
    var agent: String?
    /// How often budgets are sampled for their gauges.
    let budgetIntervalMilliseconds: Int64
    /// When budgets were last sampled (monotonic milliseconds); nil: never.
    var budgetsSampledAt: Int64?

    /// Telemetry to `sink`; budgets are sampled at most every `budgetIntervalMilliseconds`.
    public init(sink: Telemetry, budgetIntervalMilliseconds: Int64) {
        self.sink = sink
        self.budgetIntervalMilliseconds = budgetIntervalMilliseconds
    }

    /// The decision of the audit trail as telemetry names it.
    static func decision(_ decision: AuditRecord.Decision) -> TelemetryDecision {
        switch decision {
        case .allowed: .allowed
        case .denied: .denied
        case .wouldDeny: .wouldDeny
        }
    }
}
