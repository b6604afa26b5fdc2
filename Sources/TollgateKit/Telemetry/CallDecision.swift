/// A call's decision as it stands after its effects (a call they refused is denied): the start
/// of the call's span (or all of it, for a call that never reaches the server). Names and values
/// only; arguments are never included.
public struct CallDecision: Sendable {
    /// The request's id, as the client wrote it.
    public var id: RequestID
    /// The method (`tools/call`).
    public var method: String
    /// The tool the call names, as the client wrote it.
    public var tool: String
    /// Whether the name is one the server listed or a manifest rule names exactly: only such
    /// names become span names and metric labels (others are `_unknown`).
    public var toolIsKnown: Bool
    /// The decision.
    public var decision: TelemetryDecision
    /// The denial's code (also for `would_deny`).
    public var denialCode: String?
    /// The rule that decided, if one did.
    public var rule: String?
    /// What is left of each budget the call counts against (name, amount as written in the audit trail).
    public var budgetsLeft: [(name: String, left: String)] = []
    /// How an approval ended (`approved by …`), for a call that was held.
    public var approval: String?
    /// The client's name (`clientInfo.name`), when known.
    public var agent: String?
    /// The protocol version the request names (`_meta`), when it names one.
    public var protocolVersion: String?
    /// The client's `params._meta.traceparent` and `tracestate`, unparsed.
    public var traceparent: String?
    public var tracestate: String?
    /// When it was decided (monotonic nanoseconds): after its reservation and record, as it is
    /// forwarded (the start of its CLIENT span).
    public var time: Int64
    /// When the gate took it up (monotonic nanoseconds), if that is known and it was not held
    /// (a hold starts its span): the start of its SERVER span (nil: ``time``).
    public var start: Int64?

    public init(id: RequestID, method: String = "tools/call", tool: String, toolIsKnown: Bool, decision: TelemetryDecision,
                time: Int64 = SystemClock.monotonicNanoseconds()) {
        self.id = id
        self.method = method
        self.tool = tool
        self.toolIsKnown = toolIsKnown
        self.decision = decision
        self.time = time
    }
}
