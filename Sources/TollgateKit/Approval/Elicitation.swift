/// Tollgate's own `elicitation/create` request asking the client's user to approve a held call
/// (form mode, 2025-06-18 and later; see the specification's client/elicitation page), and the
/// reading of the client's answer.
///
/// The request carries a message naming the tool, the rule and the arguments, and a flat
/// `requestedSchema` with one optional boolean, `approve`. `accept` approves unless its content
/// sets `approve` to false; `decline`, `cancel`, an error response or anything unreadable denies.
public enum Elicitation {
    /// The most argument text shown in the message.
    static let maxArgumentsText = 2000

    /// The request line (with its newline) for a held call.
    public static func request(id: RequestID, call: ToolCall, rule: String) -> [UInt8] {
        var arguments = JSONValue.object(call.arguments).serialized
        if arguments.count > maxArgumentsText {
            arguments = Array(arguments.prefix(maxArgumentsText)) + Array("… (\(arguments.count) bytes in all)".utf8)
        }
        let message = "Tollgate: allow the tool call \"\(call.name)\"? The manifest rule \(rule) asks for your approval before it runs.\nArguments: "
            + String(decoding: arguments, as: UTF8.self)
        let approve: JSONObject = ["type": "boolean", "title": "Run this call",
                                   "description": "Accept to run the call (leave this on); decline to refuse it."]
        let schema: JSONObject = ["type": "object", "properties": ["approve": .object(approve)]]
        let params: JSONObject = ["message": .string(message), "requestedSchema": .object(schema)]
        return Reply.request(id: id.bytes, method: "elicitation/create", params: .object(params))
    }

    /// The client's answer to an elicitation, as read from its response line.
    public enum Answer: Sendable, Equatable {
        /// The user accepted; `approve` is false only when the content says so.
        case accept(approve: Bool)
        /// The user declined.
        case decline
        /// The user dismissed the request.
        case cancel
        /// An error response, or a result Tollgate cannot read.
        case failed(String)

        /// What approval says about this answer.
        public var outcome: ApprovalOutcome {
            switch self {
            case .accept(let approve): ApprovalOutcome(approved: approve, source: .client, detail: approve ? "accept" : "accept with approve false")
            case .decline: ApprovalOutcome(approved: false, source: .client, detail: "decline")
            case .cancel: ApprovalOutcome(approved: false, source: .client, detail: "cancel")
            case .failed(let why): ApprovalOutcome(approved: false, source: .client, detail: why)
            }
        }
    }

    /// Reads a response line: the id it answers (nil when it is not a response with a usable id)
    /// and the answer.
    public static func answer(in line: UnsafeRawBufferPointer) -> (id: RequestID, answer: Answer)? {
        guard case .success(.single(let envelope)) = MessageEnvelope.scan(line), envelope.kind == .response,
            let range = envelope.id, let id = RequestID.response(line, range)
        else { return nil }
        if let error = envelope.error {
            let value = try? JSONValue.parse(UnsafeRawBufferPointer(rebasing: line[error]))
            let code = value?["code"].map { String(decoding: $0.serialized, as: UTF8.self) } ?? "?"
            return (id, .failed("error \(code): \(value?["message"]?.stringValue ?? "")"))
        }
        guard let result = envelope.result, case .object(let object)? = try? JSONValue.parse(UnsafeRawBufferPointer(rebasing: line[result])) else {
            return (id, .failed("an unreadable result"))
        }
        switch object["action"]?.stringValue {
        case "accept": return (id, .accept(approve: object["content"]?["approve"] != .bool(false)))
        case "decline": return (id, .decline)
        case "cancel": return (id, .cancel)
        default: return (id, .failed("an answer without a known action"))
        }
    }

    /// Whether an `initialize` request's params declare the elicitation capability (any
    /// `capabilities.elicitation` object: `{}` means form mode, or `form` is listed).
    public static func clientCanElicit(initializeParams line: UnsafeRawBufferPointer) -> Bool {
        guard case .success(.single(let envelope)) = MessageEnvelope.scan(line), let params = envelope.params,
            let value = try? JSONValue.parse(UnsafeRawBufferPointer(rebasing: line[params]))
        else { return false }
        return clientCanElicit(capabilities: value["capabilities"])
    }

    /// Whether the `capabilities` of a client's `initialize` offer form-mode elicitation (an
    /// empty `elicitation` object means form mode).
    public static func clientCanElicit(capabilities: JSONValue?) -> Bool {
        guard case .object(let elicitation)? = capabilities?["elicitation"] else { return false }
        return elicitation.members.isEmpty || elicitation["form"] != nil
    }
}
