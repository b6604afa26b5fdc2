import Testing
@testable import TollgateKit

/// The two sessions a behaviour both must have is tested on: ``RelaySession`` in front of one
/// server, ``HostSession`` in front of two (the server under test is the second, `b`, its tools
/// not prefixed, so that the client calls them and the gate decides them by the same names; the
/// first, `a`, stays idle).
enum Twin: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case oneServer
    case severalServers

    var testDescription: String { rawValue }

    /// A session deciding by `gate`, whose server under test offers `tools`, ready for calls.
    /// `elicits`: the client declared elicitation in its `initialize` (which the session for one
    /// server passes on, and which stays unanswered there). `prefixed`: the several servers'
    /// session exposes the tools as `b__<tool>` (see ``name(_:prefixed:)``). Tollgate's own
    /// request ids are `"tollgate-n-<n>"`.
    func session(gate: any Gate = PassThroughGate(), tools: [String] = ["echo", "sleep", "rm", "add", "forbidden"],
                 limits: PeerLimits = .standard, elicits: Bool = false, prefixed: Bool = false) throws -> any TwinSession {
        var session: any TwinSession
        switch self {
        case .oneServer:
            var relay = RelaySession(gate: gate, limits: limits)
            if elicits {
                _ = relay.fromClient(#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{"elicitation":{}},"clientInfo":{"name":"c","version":"1"}}}"#)
            }
            session = relay
        case .severalServers:
            session = try HostSession.ready(["a", "b"], tools: [["idle"], tools], gate: gate, prefixed: [true, prefixed],
                                            clientCapabilities: elicits ? #"{"elicitation":{}}"# : #"{"sampling":{}}"#, limits: limits)
        }
        session.fixNonce("n")
        return session
    }

    /// A tool of the server under test as the client calls it and the gate decides it, in a
    /// session made with `prefixed`.
    func name(_ tool: String, prefixed: Bool) -> String {
        self == .severalServers && prefixed ? "b__\(tool)" : tool
    }
}

/// What a session asked for, as the twin tests read it: the bytes for the client, for the
/// server under test and for any other, the diagnostics, the approvers to start.
struct TwinActions {
    var toClient: [UInt8] = []
    var toServer: [UInt8] = []
    var toOtherServers: [UInt8] = []
    var logs: [String] = []
    var approvers: [ApproverJob] = []
    var cancelledApprovers: [Int] = []

    var isEmpty: Bool {
        toClient.isEmpty && toServer.isEmpty && toOtherServers.isEmpty && logs.isEmpty && approvers.isEmpty && cancelledApprovers.isEmpty
    }
    /// Whether nothing reaches any server.
    var reachesNoServer: Bool { toServer.isEmpty && toOtherServers.isEmpty }

    /// The lines for the client, parsed.
    func clientLines() throws -> [JSONValue] { try HostLine.all(toClient) }
    /// The lines for the server under test, parsed.
    func serverLines() throws -> [JSONValue] { try HostLine.all(toServer) }
}

/// A session driven by text lines with the clock given, whichever it is (``Twin``).
protocol TwinSession: RuntimeSession {
    /// Feeds a line of the client.
    mutating func fromClient(_ line: String, at now: Int64) -> TwinActions
    /// Feeds a line of the server under test, its sampling requests admitted first (as the
    /// runtime admits them, by an ``EffectingGate``'s effects).
    mutating func fromServer(_ line: String, at now: Int64) -> TwinActions
    /// Fires the timers due at `now`.
    mutating func fired(at now: Int64) -> TwinActions
    /// The server under test is gone.
    mutating func serverGone(because reason: String) -> TwinActions
    /// A local approver finished.
    mutating func approver(_ token: Int, finished result: ApproverResult, at now: Int64) -> TwinActions
    /// What the session waits for, by deadline.
    var timers: DeadlineTable { get }
    /// The client's requests in flight and their cost, as ``PeerLimits`` counts them.
    var inFlight: (count: Int, bytes: Int) { get }
    /// The sampling grants of the server's requests the client has not answered yet.
    var samplingGrants: [RequestID: SamplingGrant] { get }
    /// Calls held for approval and Tollgate's own requests.
    var approvals: ApprovalState { get }
    /// Makes Tollgate's own request ids `"tollgate-<nonce>-<n>"` (before any was given out).
    mutating func fixNonce(_ nonce: String)
}

extension TwinSession {
    /// Feeds a line of the client at time 0.
    mutating func fromClient(_ line: String) -> TwinActions { fromClient(line, at: 0) }

    /// The earliest deadline set.
    var nextDeadline: Int64? { timers.earliestDeadline }
}

extension RelaySession: TwinSession {
    private static func read(_ actions: RelayActions, line: String) -> TwinActions {
        TwinActions(toClient: actions.toClient, toServer: actions.forward == .original ? bytes(line + "\n") : actions.toServer,
                    logs: actions.log.map { [$0] } ?? [], approvers: actions.approvers, cancelledApprovers: actions.cancelledApprovers)
    }

    mutating func fromClient(_ line: String, at now: Int64) -> TwinActions {
        Self.read(bytes(line).withUnsafeBytes { clientLine($0, now: now) }, line: line)
    }

    mutating func fromServer(_ line: String, at now: Int64) -> TwinActions {
        let decided = bytes(line).withUnsafeBytes { line in
            let read = ServerLine.read(line, maxDepth: maxDepth)
            return decide(read, in: line, admitted: gate.admitting(read, in: line, maxDepth: maxDepth), now: now)
        }
        // What goes on toward the client is read as the client's.
        let actions = Self.read(decided, line: line)
        return TwinActions(toClient: actions.toServer, toServer: actions.toClient, logs: actions.logs, approvers: actions.approvers,
                           cancelledApprovers: actions.cancelledApprovers)
    }

    mutating func fired(at now: Int64) -> TwinActions {
        let actions = tick(now: now)
        return TwinActions(toClient: actions.toClient, toServer: actions.toServer, logs: actions.logs)
    }

    mutating func serverGone(because reason: String) -> TwinActions {
        TwinActions(toClient: serverWentAway(because: reason))
    }

    mutating func approver(_ token: Int, finished result: ApproverResult, at now: Int64) -> TwinActions {
        Self.read(approverFinished(token, result, now: now), line: "")
    }

    var inFlight: (count: Int, bytes: Int) { (requestsInFlight, requestBytesInFlight) }

    mutating func fixNonce(_ nonce: String) { approvals = approvals.renewed(nonce: nonce) }
}

extension HostSession: TwinSession {
    private static func read(_ actions: HostActions) -> TwinActions {
        TwinActions(toClient: actions.toClient, toServer: actions.toChildren[1] ?? [], toOtherServers: actions.toChildren[0] ?? [],
                    logs: actions.logs, approvers: actions.approvers, cancelledApprovers: actions.cancelledApprovers)
    }

    mutating func fromClient(_ line: String, at now: Int64) -> TwinActions {
        Self.read(bytes(line).withUnsafeBytes { clientLine($0, now: now) })
    }

    mutating func fromServer(_ line: String, at now: Int64) -> TwinActions {
        Self.read(bytes(line).withUnsafeBytes { line in
            childLine(1, line, admitted: gate.admitting(ServerLine.read(line, maxDepth: maxDepth), in: line, maxDepth: maxDepth), now: now)
        })
    }

    mutating func fired(at now: Int64) -> TwinActions { Self.read(tick(now: now)) }

    mutating func serverGone(because reason: String) -> TwinActions { Self.read(childGone(1, because: reason)) }

    mutating func approver(_ token: Int, finished result: ApproverResult, at now: Int64) -> TwinActions {
        Self.read(approverFinished(token, result, now: now))
    }

    var inFlight: (count: Int, bytes: Int) { requestsInFlight }

    mutating func fixNonce(_ nonce: String) { approvals = approvals.renewed(nonce: nonce) }
}

extension ApprovalState {
    /// A state with nothing held whose own ids use `nonce`, for a client as able to elicit.
    fileprivate func renewed(nonce: String) -> ApprovalState {
        var renewed = ApprovalState(nonce: nonce)
        renewed.clientCanElicit = clientCanElicit
        return renewed
    }
}

/// The lines of a twin test.
enum TwinLine {
    /// A `tools/call` of `tool` with id `id` (JSON text).
    static func call(_ id: String, _ tool: String, arguments: String = #"{"ms":5000}"#) -> String {
        #"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"\#(tool)","arguments":\#(arguments)}}"#
    }

    /// The answer to the one request in `sent` (what a peer was sent), under that request's
    /// exact id bytes.
    static func answer(to sent: [UInt8], result: String = #"{"content":[{"type":"text","text":"done"}]}"#,
                       sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let lines = splitLines(sent)
        try #require(lines.count == 1, "one request sent: \(text(sent))", sourceLocation: sourceLocation)
        let id = try #require(idText(ofLine: lines[0]), sourceLocation: sourceLocation)
        return #"{"jsonrpc":"2.0","id":\#(id),"result":\#(result)}"#
    }
}
