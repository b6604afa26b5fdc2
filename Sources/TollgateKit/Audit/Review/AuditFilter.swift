/// Which calls `tollgate audit log` shows. Every condition given must hold; names and codes are
/// compared by their bytes.
public struct AuditFilter: Sendable, Equatable {
    /// Only calls whose client got a denial (``AuditLogEntry/isDenial``).
    public var deniedOnly = false
    /// Only tools whose name matches this glob (the syntax of the manifest's rule keys).
    public var tool: NameMatcher?
    /// Only calls denied with one of these codes, by the decision or in place of the answer.
    public var codes: [Denial.Code] = []
    /// Only calls from this agent.
    public var agent: String?
    /// Only calls decided at or after this time.
    public var since: AuditTimestamp?
    /// Only calls decided before this time.
    public var until: AuditTimestamp?

    public init() {}

    /// Whether a decision record can lead to a shown call, judging only what it says itself
    /// (the tool, the agent and the time); so the calls it cannot are not kept waiting.
    func admits(_ entry: AuditLogEntry) -> Bool {
        if let tool, !tool.matches(entry.tool) { return false }
        if let agent, !(entry.agent?.hasSameScalars(as: agent) ?? false) { return false }
        if since != nil || until != nil {
            guard let time = entry.time else { return false }
            if let since, time < since { return false }
            if let until, !(time < until) { return false }
        }
        return true
    }

    /// Whether the call is shown, with what is known of it now (its outcome may come later).
    func matches(_ entry: AuditLogEntry) -> Bool {
        guard admits(entry) else { return false }
        if deniedOnly && !entry.isDenial { return false }
        if !codes.isEmpty {
            let given = [entry.code, entry.outcomeCode].compactMap { $0 }
            guard codes.contains(where: { code in given.contains { $0.hasSameScalars(as: code.rawValue) } }) else { return false }
        }
        return true
    }
}
