/// What a gate keeps to report to telemetry: the sink, the names it may use as labels, the
/// client's name, and when budgets were last sampled. The gate's hooks (``PolicyGate``'s
/// `record`, `decide` for holds, `callCompleted`, `tick`, `takeOver`) build the events.
public struct GateTelemetry: Sendable {
    /// Where events go.
    public let sink: Telemetry
    /// Tool names the manifest's rules name exactly (with the names the server listed, the
    /// names telemetry may use as they are; see ``ToolNameBound``).
    let ruleNames: Set<ProtocolName>
    /// The client's name (`clientInfo.name`), once known.
    var agent: String?
    /// How often budgets are sampled for their gauges.
    let budgetIntervalMilliseconds: Int64
    /// When budgets were last sampled (monotonic milliseconds); nil: never.
    var budgetsSampledAt: Int64?

    /// Telemetry for a gate of `manifest`; budgets are sampled at most every `budgetIntervalMilliseconds`.
    public init(sink: Telemetry, manifest: Manifest, budgetIntervalMilliseconds: Int64) {
        self.sink = sink
        self.budgetIntervalMilliseconds = budgetIntervalMilliseconds
        ruleNames = Set(manifest.tools.compactMap { rule in
            rule.pattern.utf8.contains { $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "?") } ? nil : ProtocolName(rule.pattern)
        })
    }

    /// The telemetry of a reloaded gate: the same sink and client, the new manifest's rule names.
    init(carrying old: GateTelemetry, manifest: Manifest) {
        self.init(sink: old.sink, manifest: manifest, budgetIntervalMilliseconds: old.budgetIntervalMilliseconds)
        agent = old.agent
        budgetsSampledAt = old.budgetsSampledAt
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
