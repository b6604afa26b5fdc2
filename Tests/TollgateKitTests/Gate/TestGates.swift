@testable import TollgateKit

/// Denies one named tool with a `tool_denied` denial; forwards every other call. Remembers what it saw.
struct DenyingGate: Gate {
    var deniedTool: String
    var seen: [String] = []

    init(denying tool: String) { deniedTool = tool }

    mutating func decide(_ call: ToolCall) -> GateVerdict {
        seen.append(call.name)
        guard call.name.hasSameScalars(as: deniedTool) else { return .forward }
        return .deny(Denial(.toolDenied, tool: call.name, rule: "tools.\(call.name)",
                            reason: "The manifest denies \(call.name).", advice: "Use another tool."))
    }
}

/// Answers every call with a JSON-RPC error.
struct FailingGate: Gate {
    func decide(_ call: ToolCall) -> GateVerdict {
        .fail(JSONRPCError(.methodNotFound, "no tool \(call.name)"))
    }
}

/// Removes one tool from every `tools/list` result; returns nil (no change) when the result has no tool list.
struct HidingGate: Gate {
    var hiddenTool: String
    var filtered = 0

    var needs: GateNeeds { [.calls, .toolLists] }

    func decide(_ call: ToolCall) -> GateVerdict { .forward }

    mutating func filterToolList(_ result: JSONObject, cursor: [UInt8]?) -> ToolListFilter {
        guard case .array(let tools)? = result["tools"] else { return ToolListFilter() }
        filtered += 1
        var copy = result
        copy["tools"] = .array(tools.filter { $0["name"] != .string(hiddenTool) })
        return ToolListFilter(result: copy)
    }
}

/// Forwards everything and records how forwarded calls ended.
struct RecordingGate: Gate {
    struct Completion: Sendable, Equatable {
        var tool: String
        var id: String
        var outcome: CallOutcome
    }

    var completions: [Completion] = []

    var needs: GateNeeds { [.calls, .outcomes] }

    func decide(_ call: ToolCall) -> GateVerdict { .forward }

    mutating func callCompleted(_ call: ToolCall, outcome: CallOutcome, result: JSONObject?) -> JSONObject? {
        completions.append(Completion(tool: call.name, id: call.id.description, outcome: outcome))
        return nil
    }
}

/// Gives calls to one tool a timeout, asks for a tick after every call, and records completions and ticks.
struct TimingGate: Gate {
    var timedTool = "sleep"
    var timeoutMilliseconds: Int64 = 1000
    var tickInterval: Int64? = 50
    var completions: [RecordingGate.Completion] = []
    var ticks = 0

    var needs: GateNeeds { [.calls, .outcomes, .timers] }
    var tickIntervalMilliseconds: Int64? { tickInterval }

    func decide(_ call: ToolCall) -> GateVerdict {
        call.name == "forbidden" ? .deny(Denial(.toolDenied, tool: call.name, reason: "no")) : .forward
    }

    func timeout(for call: ToolCall) -> CallTimeout? {
        call.name == timedTool ? CallTimeout(milliseconds: timeoutMilliseconds, rule: "tools.\(timedTool).timeoutSeconds") : nil
    }

    mutating func callCompleted(_ call: ToolCall, outcome: CallOutcome, result: JSONObject?) -> JSONObject? {
        completions.append(RecordingGate.Completion(tool: call.name, id: call.id.description, outcome: outcome))
        return nil
    }

    mutating func tick() -> [String] {
        ticks += 1
        return ["tick \(ticks)"]
    }
}
