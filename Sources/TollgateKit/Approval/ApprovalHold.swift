/// What a gate asks for when a call must wait for a person (``GateVerdict/hold(_:)``): how to
/// ask, which rule asks, and how long to wait.
public struct ApprovalHold: Sendable, Equatable {
    /// How approval is asked for.
    public var approval: ApprovalRule
    /// The rule that asks (`tools.NAME`).
    public var rule: String
    /// How long the call waits for an answer.
    public var timeoutMilliseconds: Int64

    /// Creates a hold.
    public init(approval: ApprovalRule, rule: String, timeoutMilliseconds: Int64) {
        self.approval = approval
        self.rule = rule
        self.timeoutMilliseconds = timeoutMilliseconds
    }
}

/// How a held call's approval ended, and who or what decided it (recorded in the audit trail).
public struct ApprovalOutcome: Sendable, Equatable {
    /// Who or what decided.
    public enum Source: String, Sendable, CaseIterable {
        /// The client's user, through `elicitation/create`.
        case client
        /// The local approver command.
        case command
        /// Nobody answered within `approvalTimeoutSeconds`.
        case timeout
        /// Nobody could be asked: the client cannot elicit and no command is set.
        case none
        /// The call was abandoned before an answer (the server went away).
        case abandoned
        /// The client cancelled the call (`notifications/cancelled`) before an answer: it gets
        /// no response, and the approval asked for is withdrawn.
        case cancelled
    }

    /// Whether the call may run.
    public var approved: Bool
    /// Who or what decided.
    public var source: Source
    /// What exactly: `accept`, `decline`, `cancel`, `error -32601: …` for the client; the command's
    /// path and exit status (`/usr/bin/approve: exit 0`); the time waited.
    public var detail: String

    /// Creates an outcome.
    public init(approved: Bool, source: Source, detail: String) {
        self.approved = approved
        self.source = source
        self.detail = detail
    }

    /// The denial for a call that was not approved (`approval_required` when nobody could be
    /// asked, else `approval_denied`); nil when approved.
    public func denial(tool: String, rule: String) -> Denial? {
        guard !approved else { return nil }
        switch source {
        case .none:
            return Denial(.approvalRequired, tool: tool, rule: rule,
                          reason: "this tool needs a person's approval, but the client cannot be asked (it did not declare the elicitation capability) and no approver command is set",
                          advice: "Tell the user this call needs their approval; it was logged for review.")
        case .client:
            return Denial(.approvalDenied, tool: tool, rule: rule, reason: "the user did not approve the call (\(detail))",
                          advice: "Do not retry it unless the user asks you to.")
        case .command:
            return Denial(.approvalDenied, tool: tool, rule: rule, reason: "the approver did not approve the call (\(detail))",
                          advice: "Do not retry it unless the user asks you to.")
        case .timeout:
            return Denial(.approvalDenied, tool: tool, rule: rule, reason: "nobody approved the call within \(detail)",
                          advice: "Tell the user the call is waiting for their approval; retry only if they ask.")
        case .abandoned:
            return Denial(.approvalDenied, tool: tool, rule: rule, reason: "the call was abandoned before it was approved (\(detail))")
        case .cancelled:
            return Denial(.approvalDenied, tool: tool, rule: rule, reason: "the client cancelled the call before it was approved (\(detail))")
        }
    }
}
