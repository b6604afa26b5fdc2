/// The gate's decision on a call as telemetry names it (`tollgate.decision`).
public enum TelemetryDecision: String, Sendable, CaseIterable {
    /// Forwarded to the server.
    case allowed
    /// Refused; the server never saw it.
    case denied
    /// Forwarded in monitor mode although the policy would refuse it.
    case wouldDeny = "would_deny"
    /// Waiting for a person's approval.
    case held

    /// Whether the call reaches the server.
    public var isForwarded: Bool { self == .allowed || self == .wouldDeny }
}
