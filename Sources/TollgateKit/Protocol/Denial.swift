/// Tollgate's answer to a call it refuses: a tool result with `isError: true` that the model reads,
/// and a machine-readable `_meta["dev.tollgate/denial"]` entry. The shape is a contract.
public struct Denial: Sendable, Equatable {
    /// Why a call was refused. Raw values are the `code` field of the contract.
    public enum Code: String, Sendable, CaseIterable {
        case toolDenied = "tool_denied"
        case unknownTool = "unknown_tool"
        case argumentsRejected = "arguments_rejected"
        case budgetExhausted = "budget_exhausted"
        case rateLimited = "rate_limited"
        case approvalRequired = "approval_required"
        case approvalDenied = "approval_denied"
        case toolChanged = "tool_changed"
        case serverUnavailable = "server_unavailable"
        case timeout = "timeout"
        case auditUnavailable = "audit_unavailable"
        /// The budget ledger cannot be read or written: budgets fail closed.
        case budgetUnavailable = "budget_unavailable"
        /// The call ran, but its result was larger than `tools.X.maxResultTokens` and was withheld.
        case resultTooLarge = "result_too_large"
        /// The server listed more than one tool of this name, so which one a call runs cannot be told.
        case toolAmbiguous = "tool_ambiguous"
    }

    /// The `_meta` key of the denial entry.
    public static let metaKey = "dev.tollgate/denial"

    /// Why.
    public var code: Code
    /// The tool the call named.
    public var tool: String
    /// The manifest rule that decided (for example `tools.git_*`), if a rule did.
    public var rule: String?
    /// One sentence for humans and models: why.
    public var reason: String
    /// What the model may do instead, appended to the text it reads.
    public var advice: String?
    /// Further fields of the entry (for example `pointer`, `keyword`, `retryAfterMs`).
    public var details: JSONObject

    public init(_ code: Code, tool: String, rule: String? = nil, reason: String, advice: String? = nil, details: JSONObject = JSONObject()) {
        self.code = code
        self.tool = tool
        self.rule = rule
        self.reason = reason
        self.advice = advice
        self.details = details
    }

    /// The text the model reads.
    public var text: String {
        var text = "Tollgate refused the call to tool \"\(tool)\" (\(code.rawValue)): \(reason)"
        if !text.hasSuffix(".") { text += "." }  // not a protocol name
        if let advice { text += " " + advice }
        return text
    }

    /// The `CallToolResult` for this denial; `era` adds `resultType` for stateless requests.
    public func result(era: ProtocolEra) -> JSONValue {
        var entry = JSONObject()
        entry["code"] = .string(code.rawValue)
        entry["tool"] = .string(tool)
        entry["rule"] = rule.map(JSONValue.string) ?? .null
        entry["reason"] = .string(reason)
        for member in details.members { entry[member.key] = member.value }
        var result = JSONObject()
        result["content"] = [["type": "text", "text": .string(text)]]
        result["isError"] = true
        result["_meta"] = [Self.metaKey: .object(entry)]
        if era == .stateless { result["resultType"] = "complete" }
        return .object(result)
    }

    /// The line on stderr telling that `tool` was denied.
    func logLine(tool: String) -> String {
        "denied \(tool) (\(code.rawValue)): \(reason)"
    }
}
