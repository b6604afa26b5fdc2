/// The interception seam: what Tollgate consults for every `tools/call` on its way to a server
/// and every `tools/list` result on its way back.
///
/// A gate is a value owned by one relay session; the session calls it under its own lock, so a
/// gate needs no locking of its own. A gate does no I/O: what its decisions need written or
/// reserved it queues as effects (``takeEffects()``), which the session's I/O layer hands to
/// the ``EffectsOwner`` in the same critical section. Policy, budgets, approval and pinning plug in here.
public protocol Gate: Sendable {
    /// What the session must show the gate (calls, listings, results, outcomes, the clock,
    /// held calls, sampling); what it need not see passes as raw bytes, and costs nothing.
    var needs: GateNeeds { get }

    /// Decides a call. `.forward` sends the call re-serialized from what was checked.
    mutating func decide(_ call: ToolCall) -> GateVerdict

    /// Rewrites one page of a `tools/list` result (``GateNeeds/toolLists``); `cursor` is the
    /// request's cursor as compact JSON (nil: the first page), which ties the page to the pages
    /// before it.
    mutating func filterToolList(_ result: JSONObject, cursor: [UInt8]?) -> ToolListFilter

    /// Learns the names a server listed more than once in one listing (with several servers,
    /// where the listings are read by Tollgate, not the gate): calls to them are refused.
    mutating func toolsListedTwice(_ names: [String])

    /// Learns how a forwarded call ended (``GateNeeds/outcomes``), with its result parsed once
    /// when it needs ``GateNeeds/results`` (else nil, as for an error, a batched response, or a
    /// call never answered). Returns a result to send the client instead of the server's, or
    /// nil to leave it unchanged.
    mutating func callCompleted(_ call: ToolCall, outcome: CallOutcome, result: JSONObject?) -> JSONObject?

    /// How long the server may take to answer a call the gate just forwarded;
    /// nil: no limit. Asked once per forwarded call, right after ``decide(_:)``.
    mutating func timeout(for call: ToolCall) -> CallTimeout?

    /// How soon after a call the gate wants ``tick()`` (for example to sync a batched ledger);
    /// nil: never.
    var tickIntervalMilliseconds: Int64? { get }

    /// Learns how the approval of a call it held (``GateVerdict/hold(_:)``) ended, records it,
    /// and decides the call: `.forward` runs it as checked, `.deny` refuses it. The default
    /// forwards an approved call and denies any other.
    mutating func approvalDecided(_ call: ToolCall, hold: ApprovalHold, outcome: ApprovalOutcome) -> GateVerdict

    /// Periodic work, at most ``tickIntervalMilliseconds`` after a call was decided or ended.
    /// Returns diagnostics for stderr.
    mutating func tick() -> [String]

    /// Learns the tokens the client's answer to a granted request used (nil: unknown, so the
    /// grant stays counted in full; 0 for a request that never reached the client).
    mutating func samplingAnswered(_ grant: SamplingGrant, tokens: Int64?)

    /// The effects decided since the last call, in order (see ``GateEffect``).
    mutating func takeEffects() -> [GateEffect]

    /// Learns who the client is: the `clientInfo` of its `initialize` (or of a 2026-07-28
    /// request's `_meta`), for the audit trail.
    mutating func clientIdentified(_ clientInfo: JSONValue?)

    /// Learns of something telemetry counts that the session saw (a dropped response, a
    /// restart); the default ignores it.
    mutating func note(_ event: TelemetryCounter)

    /// Hands this gate's state (what was spent, pins, what was listed) to `successor`, a
    /// reloaded manifest's gate, which takes its place; throws, leaving this gate in force, when
    /// it cannot (a gate of no manifest has no policy to reload).
    func handOver(to successor: PolicyGate) throws(ReloadRefusal) -> GateHandover
}

/// What a session must show its gate. A gate that needs nothing sees no call: calls pass as
/// their original bytes, checked only by the scanner.
public struct GateNeeds: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Every call, read whole, for ``Gate/decide(_:)``.
    public static let calls = GateNeeds(rawValue: 1 << 0)
    /// `tools/list` results, for ``Gate/filterToolList(_:cursor:)``.
    public static let toolLists = GateNeeds(rawValue: 1 << 1)
    /// How each forwarded call ended, for ``Gate/callCompleted(_:outcome:result:)``.
    public static let outcomes = GateNeeds(rawValue: 1 << 2)
    /// Each call's result, parsed (else results pass as raw bytes).
    public static let results = GateNeeds(rawValue: 1 << 3)
    /// The session's timers (a call timeout or periodic work); without them the session never
    /// reads the clock for the gate.
    public static let timers = GateNeeds(rawValue: 1 << 4)
    /// Held calls (``GateVerdict/hold(_:)``): then the session reads the client's capabilities
    /// and watches for answers to its own requests.
    public static let heldCalls = GateNeeds(rawValue: 1 << 5)
    /// Servers' sampling requests and the client's answers (the effects admit each
    /// `sampling/createMessage` before the session reads it).
    public static let sampling = GateNeeds(rawValue: 1 << 6)
}

/// A reloaded manifest's gate in place of the running one.
public struct GateHandover: Sendable {
    /// The gate now in force.
    public var gate: any Gate
    /// Whether the client was shown the tools under the old gate (then it is told the list may
    /// have changed).
    public var toolsWereListed: Bool
    /// Whether the new manifest's servers differ from the old one's.
    public var serversChanged: Bool
}

/// What a gate decided about one call.
public enum GateVerdict: Sendable, Equatable {
    /// Send the call to the server, re-serialized from the parsed value that was checked.
    case forward
    /// Refuse the call: the client gets the denial as a tool result with `isError: true`.
    case deny(Denial)
    /// Answer the client with a JSON-RPC error instead of a result.
    case fail(JSONRPCError)
    /// Hold the call until a person approves it (see ``ApprovalHold``); the relay asks and then
    /// calls ``Gate/approvalDecided(_:hold:outcome:)``.
    case hold(ApprovalHold)
}

/// How a forwarded call ended.
public enum CallOutcome: Sendable, Equatable {
    /// The server answered with a result; `isError` is the result's flag, `bytes` its size.
    case result(isError: Bool, bytes: Int)
    /// The server answered with a JSON-RPC error.
    case error(code: Int)
    /// The server went away before answering.
    case serverGone
    /// The call's timeout expired: the client got a `timeout` denial and the server
    /// `notifications/cancelled` (the call may have run, so budgets count it as spent).
    case timedOut
}

extension Gate {
    public var needs: GateNeeds { .calls }
    public var inspectsCalls: Bool { needs.contains(.calls) }
    public var inspectsToolLists: Bool { needs.contains(.toolLists) }
    public var observesOutcomes: Bool { needs.contains(.outcomes) }
    public var inspectsResults: Bool { needs.contains(.results) }
    public var usesTimers: Bool { needs.contains(.timers) }
    public var holdsCalls: Bool { needs.contains(.heldCalls) }
    public var capsSampling: Bool { needs.contains(.sampling) }
    public mutating func filterToolList(_ result: JSONObject, cursor: [UInt8]?) -> ToolListFilter { ToolListFilter(result: nil) }
    public mutating func toolsListedTwice(_ names: [String]) {}
    public mutating func callCompleted(_ call: ToolCall, outcome: CallOutcome, result: JSONObject?) -> JSONObject? { nil }
    /// The first page's rewrite (``filterToolList(_:cursor:)`` without a cursor).
    public mutating func filterToolList(_ result: JSONObject) -> JSONObject? { filterToolList(result, cursor: nil).result }
    /// Learns how a forwarded call ended, without its result.
    public mutating func callCompleted(_ call: ToolCall, outcome: CallOutcome) { _ = callCompleted(call, outcome: outcome, result: nil) }
    public mutating func approvalDecided(_ call: ToolCall, hold: ApprovalHold, outcome: ApprovalOutcome) -> GateVerdict {
        outcome.denial(tool: call.name, rule: hold.rule).map(GateVerdict.deny) ?? .forward
    }
    public mutating func timeout(for call: ToolCall) -> CallTimeout? { nil }
    public var tickIntervalMilliseconds: Int64? { nil }
    public mutating func tick() -> [String] { [] }
    public mutating func samplingAnswered(_ grant: SamplingGrant, tokens: Int64?) {}
    public mutating func takeEffects() -> [GateEffect] { [] }
    public mutating func clientIdentified(_ clientInfo: JSONValue?) {}
    public mutating func note(_ event: TelemetryCounter) {}
    public func handOver(to successor: PolicyGate) throws(ReloadRefusal) -> GateHandover {
        throw ReloadRefusal(problems: ["Tollgate was started without a manifest, so there is no policy to reload"])
    }
}
