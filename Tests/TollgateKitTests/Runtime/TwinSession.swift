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
    func session(gate: any Gate = PassThroughGate(), tools: [String] = ["echo", "sleep", "rm", "add", "forbidden"],
                 limits: PeerLimits = .standard) throws -> any TwinSession {
        switch self {
        case .oneServer: RelaySession(gate: gate, limits: limits)
        case .severalServers: try HostSession.ready(["a", "b"], tools: [["idle"], tools], gate: gate, prefixed: [true, false], limits: limits)
        }
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

    var isEmpty: Bool { toClient.isEmpty && toServer.isEmpty && toOtherServers.isEmpty && logs.isEmpty && approvers.isEmpty }
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
    /// Feeds a line of the server under test.
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
    /// Calls held for approval.
    var approvals: ApprovalState { get }
}

extension TwinSession {
    /// Feeds a line of the client at time 0.
    mutating func fromClient(_ line: String) -> TwinActions { fromClient(line, at: 0) }

    /// The earliest deadline set.
    var nextDeadline: Int64? { timers.earliestDeadline }
}

extension RelaySession: TwinSession {
    private static func read(_ actions: RelayActions, line: String) -> TwinActions {
        var read = TwinActions(toClient: actions.reply ?? [], logs: actions.log.map { [$0] } ?? [], approvers: actions.approvers)
        switch actions.forward {
        case .original?: read.toServer = bytes(line + "\n")
        case .bytes(let bytes)?: read.toServer = bytes
        case .call(let call)?:
            call.writeRequest(to: &read.toServer)
            read.toServer.append(0x0A)
        case .batch(let elements)?: RelayActions.write(batch: elements, to: &read.toServer)
        case nil: break
        }
        return read
    }

    mutating func fromClient(_ line: String, at now: Int64) -> TwinActions {
        Self.read(bytes(line).withUnsafeBytes { clientLine($0, now: now) }, line: line)
    }

    mutating func fromServer(_ line: String, at now: Int64) -> TwinActions {
        // What goes on toward the client is read as the client's.
        let actions = Self.read(bytes(line).withUnsafeBytes { serverLine($0, now: now) }, line: line)
        return TwinActions(toClient: actions.toServer, toServer: actions.toClient, logs: actions.logs, approvers: actions.approvers)
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
}

extension HostSession: TwinSession {
    private static func read(_ actions: HostActions) -> TwinActions {
        TwinActions(toClient: actions.toClient, toServer: actions.toChildren[1] ?? [], toOtherServers: actions.toChildren[0] ?? [],
                    logs: actions.logs, approvers: actions.approvers)
    }

    mutating func fromClient(_ line: String, at now: Int64) -> TwinActions {
        Self.read(bytes(line).withUnsafeBytes { clientLine($0, now: now) })
    }

    mutating func fromServer(_ line: String, at now: Int64) -> TwinActions {
        Self.read(bytes(line).withUnsafeBytes { childLine(1, $0, now: now) })
    }

    mutating func fired(at now: Int64) -> TwinActions { Self.read(tick(now: now)) }

    mutating func serverGone(because reason: String) -> TwinActions { Self.read(childGone(1, because: reason)) }

    mutating func approver(_ token: Int, finished result: ApproverResult, at now: Int64) -> TwinActions {
        Self.read(approverFinished(token, result, now: now))
    }

    var inFlight: (count: Int, bytes: Int) { requestsInFlight }
}

/// The lines of a twin test.
enum TwinLine {
    /// A `tools/call` of `tool` with id `id` (JSON text).
    static func call(_ id: String, _ tool: String, arguments: String = #"{"ms":5000}"#) -> String {
        #"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"\#(tool)","arguments":\#(arguments)}}"#
    }

    /// The server's answer to the one request in `sent` (what it was sent), under that
    /// request's exact id bytes.
    static func answer(to sent: [UInt8], result: String = #"{"content":[{"type":"text","text":"done"}]}"#,
                       sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let lines = splitLines(sent)
        try #require(lines.count == 1, "one request sent: \(text(sent))", sourceLocation: sourceLocation)
        let id = try #require(idText(ofLine: lines[0]), sourceLocation: sourceLocation)
        return #"{"jsonrpc":"2.0","id":\#(id),"result":\#(result)}"#
    }
}
