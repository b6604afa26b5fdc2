/// A rule's `approval`: its calls wait for a person before they run.
///
/// `"approval": "ask"` asks the client (an `elicitation/create` request) when it declared the
/// elicitation capability, and otherwise denies with `approval_required`.
/// `"approval": {"command": ["prog", "arg"]}` asks the client the same way when it can, and
/// otherwise runs the command as a local approver: it gets the request as JSON on stdin and
/// approves by exiting 0. `"approval": {"command": [...], "ask": false}` always runs the command.
public struct ApprovalRule: Sendable, Equatable {
    /// Whether the client is asked when it can elicit.
    public var asksClient: Bool
    /// The local approver, if any.
    public var command: [String]?

    /// Creates an approval setting.
    public init(asksClient: Bool = true, command: [String]? = nil) {
        self.asksClient = asksClient
        self.command = command
    }
}
