/// What a call past its timeout comes to, for one server or several: the denial the client
/// gets, the cancellation the server gets, and the line on stderr.
extension CallTimeout {
    /// The `timeout` denial of `call`, which `server` (`"the server"`, `"server NAME"`) did not
    /// answer within `timeout` (nil: its time limit, unknown).
    static func denial(of call: ToolCall, by server: String, timeout: CallTimeout?) -> Denial {
        var details = JSONObject()
        details["timeoutMs"] = .number(String(timeout?.milliseconds ?? 0))
        return Denial(.timeout, tool: call.name, rule: timeout?.rule, reason: "\(server) did not answer within \(limitText(timeout))\(settingText(timeout))",
                      advice: "The call may have run (Tollgate asked the server to cancel it); check before repeating it, or ask for less work.",
                      details: details)
    }

    /// The `notifications/cancelled` for the server, under `id` (the server's id of the request).
    static func cancellation(of id: RequestID, timeout: CallTimeout?) -> [UInt8] {
        Reply.cancelled(requestID: id.bytes, reason: "Tollgate: the request timed out after \(limitText(timeout))")
    }

    /// The line on stderr: `method` (a tool name, or a method) timed out and `server` was told.
    static func log(_ method: String, request id: RequestID, timeout: CallTimeout?, server: String) -> String {
        "timed out \(method) (request \(id)) after \(limitText(timeout)); sent notifications/cancelled to \(server)"
    }

    /// The limit, or "its time limit" when unknown.
    static func limitText(_ timeout: CallTimeout?) -> String { timeout?.text ?? "its time limit" }

    /// " (the setting)" when one set the limit.
    static func settingText(_ timeout: CallTimeout?) -> String { timeout?.rule.map { " (\($0))" } ?? "" }
}
