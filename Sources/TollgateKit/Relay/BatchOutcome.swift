/// What the elements of a batch came to, assembled into at most one line each way: the elements
/// that go on (the original line when every one goes on unchanged) and Tollgate's own answers,
/// as a batch of their own.
struct BatchOutcome {
    private var forwarded: [RelayActions.BatchElement] = []
    private var holdsCalls = false
    private var replies: [[UInt8]] = []
    private var logs: [String] = []
    private var approvers: [ApproverJob] = []
    private var unchanged = true

    /// An element goes on as its original bytes.
    mutating func keep(_ element: [UInt8]) { forwarded.append(.bytes(element)) }

    /// An element goes on as other bytes (a line's newline, if any, is dropped).
    mutating func forward(_ bytes: [UInt8]) {
        forwarded.append(.bytes(RelaySession.trimmed(bytes)))
        unchanged = false
    }

    /// A checked call goes on, serialized on its way out (unless its effects refuse it).
    mutating func forward(_ call: ToolCall) {
        forwarded.append(.call(call))
        holdsCalls = true
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
        } else if holdsCalls {
            actions.forward = .batch(forwarded)
        } else if !forwarded.isEmpty {
            actions.forward = .bytes(RelaySession.array(of: forwarded.map { element in
                guard case .bytes(let bytes) = element else { return [] }
                return bytes
            }))
        }
        if !replies.isEmpty { actions.reply = RelaySession.array(of: replies) }
        actions.approvers = approvers
        return actions
    }
}
