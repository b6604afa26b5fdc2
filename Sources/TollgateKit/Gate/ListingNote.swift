/// What Tollgate says, once, about the server's first complete tool listing: how many tools the
/// manifest offers and hides, and a warning when none of its rules matches any of them (a
/// manifest written for another server: `--manifest time.json -- mcp-server-git` would hide every
/// git tool without a word). Pure: the gate feeds it the listed names and reports what it returns.
struct ListingNote: Sendable, Equatable {
    /// One line to report.
    struct Line: Sendable, Equatable {
        var level: LogLevel
        var text: String
    }

    /// The most names a line lists.
    static let namesShown = 8

    /// Whether the note was given (it is given once per run).
    private(set) var isGiven = false
    private var listed: [String] = []
    private var hidden: [String] = []
    private var matchedRule = false

    /// Notes one listed tool: whether some rule of the manifest names it and whether the policy
    /// hides it (or, in monitor mode, would).
    mutating func add(_ name: String, matchesRule: Bool, hidden isHidden: Bool) {
        guard !isGiven else { return }
        listed.append(name)
        if isHidden { hidden.append(name) }
        if matchesRule { matchedRule = true }
    }

    /// The lines for the listing just completed (its last page was read), the first time only.
    mutating func complete(manifest: Manifest) -> [Line] {
        guard !isGiven else { return [] }
        isGiven = true
        defer {
            listed = []
            hidden = []
        }
        let monitoring = manifest.policy.mode == .monitor
        var lines: [Line] = []
        if !manifest.tools.isEmpty && !listed.isEmpty && !matchedRule {
            let outcome = manifest.policy.defaultDecision == .deny
                ? (monitoring ? "policy.default \"deny\" would hide all of them" : "policy.default \"deny\" hides all of them")
                : "policy.default \"allow\" lets all of them through unchecked"
            lines.append(Line(level: .warning, text: "none of the \(manifest.tools.count) tool rules of \(manifest.file) matches a tool the server "
                + "lists (\(Self.names(listed))), so \(outcome): is it the manifest for this server?"))
        }
        let verb = monitoring ? "would hide" : "hides"
        var text = "the server lists \(listed.count) tool\(listed.count == 1 ? "" : "s"): the manifest offers \(listed.count - hidden.count)"
        text += hidden.isEmpty ? " and \(verb) none" : " and \(verb) \(hidden.count) (\(Self.names(hidden)))"
        lines.append(Line(level: .info, text: text))
        return lines
    }

    /// `a, b, c` or `a, b, …, and 4 more`.
    static func names(_ names: [String]) -> String {
        guard names.count > namesShown else { return names.joined(separator: ", ") }
        return names.prefix(namesShown).joined(separator: ", ") + ", and \(names.count - namesShown) more"
    }
}
