/// A local approver to run for a held call (``RelayActions/approvers``): the relay layer runs it
/// off the session's lock and threads, and hands the result back to
/// ``RelaySession/approverFinished(_:_:now:)``.
public struct ApproverJob: Sendable, Equatable {
    /// The session's token for the held call.
    public var token: Int
    /// The command and its arguments.
    public var command: [String]
    /// What the approver reads on stdin: one JSON object and a newline (`tool`, `arguments`,
    /// `rule`, `requestId`, `timeoutSeconds`).
    public var input: [UInt8]
    /// How long it may take before it is killed (and the call denied).
    public var timeoutMilliseconds: Int64

    /// Creates a job.
    public init(token: Int, command: [String], input: [UInt8], timeoutMilliseconds: Int64) {
        self.token = token
        self.command = command
        self.input = input
        self.timeoutMilliseconds = timeoutMilliseconds
    }
}

/// How a local approver ended.
public enum ApproverResult: Sendable, Equatable {
    /// It exited (or was killed by a signal); `note` is the start of what it printed on stdout.
    case finished(ExitStatus, note: String)
    /// It did not finish in time and was killed.
    case timedOut
    /// It could not be started.
    case failed(String)
    /// Its call was cancelled by the client, and it was killed.
    case cancelled

    /// Whether it approved: exit status 0 only.
    public var approves: Bool {
        if case .finished(.exited(0), _) = self { return true }
        return false
    }

    /// The audit detail: the command's path and how it ended.
    public func detail(command: [String]) -> String {
        let path = command.first ?? "?"
        switch self {
        case .finished(let status, let note):
            let ended: String = switch status {
            case .exited(let code): "exit \(code)"
            case .signaled(let signal): "signal \(signal)"
            }
            return note.isEmpty ? "\(path): \(ended)" : "\(path): \(ended): \(note)"
        case .timedOut: return "\(path): killed after its time limit"
        case .failed(let why): return "\(path): could not run (\(why))"
        case .cancelled: return "\(path): stopped, the call was cancelled"
        }
    }
}

extension ApproverJob {
    /// The job for a held call: the approver reads the call's tool, arguments, rule, request id
    /// and time limit, and has until the hold's timeout (which stops it). Its own limit, a second
    /// later, only backs that up: the hold's timer decides, so the record says the approval timed out.
    init(token: Int, command: [String], call: ToolCall, hold: ApprovalHold) {
        var request: JSONObject = ["tool": .string(call.name), "arguments": .object(call.arguments), "rule": .string(hold.rule)]
        request["requestId"] = (try? JSONValue.parse(call.id.bytes)) ?? .string(call.id.description)
        request["timeoutSeconds"] = .number(String(hold.timeoutMilliseconds / 1000))
        self.init(token: token, command: command, input: JSONValue.object(request).serialized + [0x0A],
                  timeoutMilliseconds: hold.timeoutMilliseconds + 1000)
    }
}
