/// Events telemetry counts (each a cumulative counter).
public enum TelemetryCounter: String, Sendable, CaseIterable {
    /// The manifest was reloaded (`tollgate.reloads`).
    case reload = "tollgate.reloads"
    /// A server was started again after it ended (`tollgate.server.restarts`).
    case restart = "tollgate.server.restarts"
    /// A record could not be written to the audit log (`tollgate.audit.failures`).
    case auditFailure = "tollgate.audit.failures"
    /// The budget ledger could not be read or written (`tollgate.ledger.failures`).
    case ledgerFailure = "tollgate.ledger.failures"
    /// A response no request in flight awaited was dropped (`tollgate.responses.dropped`).
    case droppedResponse = "tollgate.responses.dropped"
}
