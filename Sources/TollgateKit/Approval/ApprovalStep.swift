/// What a step of a held call's life asks the session to do, for one server or several: lines
/// for the client, diagnostics, approvers to start or stop, and an approved call to send on
/// (which the session routes as it routes any call the gate let through).
struct ApprovalStep: Sendable, Equatable {
    /// Lines for the client (newline included): an elicitation, a cancellation, an answer.
    var toClient: [UInt8] = []
    var logs: [String] = []
    var approvers: [ApproverJob] = []
    var cancelledApprovers: [Int] = []
    /// The call approved, with the outcome that approved it, to send on.
    var approved: (call: ToolCall, outcome: ApprovalOutcome)?

    static func == (lhs: ApprovalStep, rhs: ApprovalStep) -> Bool {
        lhs.toClient == rhs.toClient && lhs.logs == rhs.logs && lhs.approvers == rhs.approvers
            && lhs.cancelledApprovers == rhs.cancelledApprovers && lhs.approved?.call == rhs.approved?.call
    }

    /// The log line of sending an approved call on.
    static func forwardedLog(_ call: ToolCall, _ outcome: ApprovalOutcome) -> String {
        "approved \(call.name) (\(outcome.source.rawValue): \(outcome.detail)); forwarded"
    }
}
