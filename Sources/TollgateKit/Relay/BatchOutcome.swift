/// What the elements of a batch came to, assembled into at most one line each way: the elements
/// that go on (the original line when every one goes on unchanged) and Tollgate's own answers,
/// as a batch of their own.
struct BatchOutcome {
    private var forwarded: [[UInt8]] = []
    private var replies: [[UInt8]] = []
    private var logs: [String] = []
    private var approvers: [ApproverJob] = []
    private var unchanged = true

    /// An element goes on as its original bytes.
    mutating func keep(_ element: [UInt8]) { forwarded.append(element) }

    /// An element goes on as other bytes (a line's newline, if any, is dropped).
    mutating func forward(_ bytes: [UInt8]) {
        forwarded.append(RelaySession.trimmed(bytes))
        unchanged = false
    }

    /// An element is answered by Tollgate instead of going on.
    mutating func reply(_ bytes: [UInt8]) {
        replies.append(RelaySession.trimmed(bytes))
        unchanged = false
    }

    /// An element goes nowhere.
    mutating func drop() { unchanged = false }

    mutating func log(_ line: String?) { if let line { logs.append(line) } }

    mutating func start(_ jobs: [ApproverJob]) { approvers += jobs }

    /// The actions for the whole line.
    var actions: RelayActions {
        var actions = RelayActions(log: logs.isEmpty ? nil : logs.joined(separator: "; "))
        if unchanged {
            actions.forward = .original
        } else if !forwarded.isEmpty {
            actions.forward = .bytes(RelaySession.array(of: forwarded))
        }
        if !replies.isEmpty { actions.reply = RelaySession.array(of: replies) }
        actions.approvers = approvers
        return actions
    }
}
