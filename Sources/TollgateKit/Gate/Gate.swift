/// The interception seam: what Tollgate consults for every `tools/call` on its way to a server
/// and every `tools/list` result on its way back.
///
/// A gate is a value owned by one relay session; the session calls it under its own lock, so a
/// gate needs no locking of its own. A gate does no I/O: what its decisions need written or
/// reserved it queues as effects (``takeEffects()``), which the session's I/O layer hands to
/// the ``EffectsOwner`` in the same critical section. Policy, budgets, approval and pinning plug in here.
public protocol Gate: Sendable {
    /// Decides a call. `.forward` sends the call re-serialized from what was checked.
    mutating func decide(_ call: ToolCall) -> GateVerdict

    /// Whether ``decide(_:)`` must see each call. A gate that does not (no manifest) lets the relay
    /// forward calls as their original bytes after checking them, without building a tree.
    var inspectsCalls: Bool { get }

    /// Whether ``filterToolList(_:)`` must see `tools/list` results (if not, they pass as raw bytes).
    var inspectsToolLists: Bool { get }

    /// Rewrites a `tools/list` result (for example, removes denied tools); nil leaves it unchanged.
    mutating func filterToolList(_ result: JSONObject) -> JSONObject?

    /// Rewrites one page of a `tools/list` result; `cursor` is the request's cursor as compact
    /// JSON (nil: the first page), which ties the page to the pages before it. The default
    /// calls ``filterToolList(_:)``.
    mutating func filterToolList(_ result: JSONObject, cursor: [UInt8]?) -> ToolListFilter

    /// Learns the names a server listed more than once in one listing (with several servers,
    /// where the listings are read by Tollgate, not the gate): calls to them are refused.
    mutating func toolsListedTwice(_ names: [String])

    /// Whether ``callCompleted(_:outcome:)`` must learn how calls ended.
    var observesOutcomes: Bool { get }

    /// Learns how a forwarded call ended (for budgets and audit).
    mutating func callCompleted(_ call: ToolCall, outcome: CallOutcome)

    /// Whether ``callCompleted(_:outcome:result:)`` must see the parsed result of each forwarded
    /// call (if not, results pass as raw bytes and `result` is always nil).
    var inspectsResults: Bool { get }

    /// Learns how a forwarded call ended, with its result parsed once when ``inspectsResults``
    /// (nil for an error, a batched response, or a call that was never answered). Returns a
    /// result to send the client instead of the server's, or nil to leave it unchanged. The
    /// relay calls this for every completed call; the default calls ``callCompleted(_:outcome:)``.
    mutating func callCompleted(_ call: ToolCall, outcome: CallOutcome, result: JSONObject?) -> JSONObject?

    /// Whether the gate uses the relay's timers (a call timeout or periodic work). When false the
    /// relay never reads the clock for it and schedules nothing: pass-through pays nothing.
    var usesTimers: Bool { get }

    /// How long the server may take to answer a call the gate just forwarded;
    /// nil: no limit. Asked once per forwarded call, right after ``decide(_:)``.
    mutating func timeout(for call: ToolCall) -> CallTimeout?

    /// How soon after a call the gate wants ``tick()`` (for example to sync a batched ledger);
    /// nil: never.
    var tickIntervalMilliseconds: Int64? { get }

    /// Whether ``decide(_:)`` may return ``GateVerdict/hold(_:)`` (then the relay reads the
    /// client's capabilities and watches for answers to its own requests).
    var holdsCalls: Bool { get }

    /// Learns how the approval of a call it held (``GateVerdict/hold(_:)``) ended, records it,
    /// and decides the call: `.forward` runs it as checked, `.deny` refuses it. The default
    /// forwards an approved call and denies any other.
    mutating func approvalDecided(_ call: ToolCall, hold: ApprovalHold, outcome: ApprovalOutcome) -> GateVerdict

    /// Periodic work, at most ``tickIntervalMilliseconds`` after a call was decided or ended.
    /// Returns diagnostics for stderr.
    mutating func tick() -> [String]

    /// Whether the gate caps sampling: then the relay reads the server's requests and the
    /// client's responses (otherwise both pass as raw bytes), and the effects admit each
    /// `sampling/createMessage` before the session reads it.
    var capsSampling: Bool { get }

    /// Learns the tokens the client's answer to a granted request used (nil: unknown, so the
    /// grant stays counted in full; 0 for a request that never reached the client).
    mutating func samplingAnswered(_ grant: SamplingGrant, tokens: Int64?)

    /// The effects decided since the last call, in order (see ``GateEffect``).
    mutating func takeEffects() -> [GateEffect]

    /// Learns who the client is: the `clientInfo` of its `initialize` (or of a 2026-07-28
    /// request's `_meta`), for the audit trail.
    mutating func clientIdentified(_ clientInfo: JSONValue?)
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
    public var inspectsCalls: Bool { true }
    public var inspectsToolLists: Bool { false }
    public var observesOutcomes: Bool { false }
    public mutating func filterToolList(_ result: JSONObject) -> JSONObject? { nil }
    public mutating func filterToolList(_ result: JSONObject, cursor: [UInt8]?) -> ToolListFilter {
        ToolListFilter(result: filterToolList(result))
    }
    public mutating func toolsListedTwice(_ names: [String]) {}
    public mutating func callCompleted(_ call: ToolCall, outcome: CallOutcome) {}
    public var inspectsResults: Bool { false }
    public mutating func callCompleted(_ call: ToolCall, outcome: CallOutcome, result: JSONObject?) -> JSONObject? {
        callCompleted(call, outcome: outcome)
        return nil
    }
    public var usesTimers: Bool { false }
    public var holdsCalls: Bool { false }
    public mutating func approvalDecided(_ call: ToolCall, hold: ApprovalHold, outcome: ApprovalOutcome) -> GateVerdict {
        outcome.denial(tool: call.name, rule: hold.rule).map(GateVerdict.deny) ?? .forward
    }
    public mutating func timeout(for call: ToolCall) -> CallTimeout? { nil }
    public var tickIntervalMilliseconds: Int64? { nil }
    public mutating func tick() -> [String] { [] }
    public var capsSampling: Bool { false }
    public mutating func samplingAnswered(_ grant: SamplingGrant, tokens: Int64?) {}
    public mutating func takeEffects() -> [GateEffect] { [] }
    public mutating func clientIdentified(_ clientInfo: JSONValue?) {}
}
