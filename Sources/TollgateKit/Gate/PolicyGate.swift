/// The gate a manifest defines: decides every call by the manifest's rules, its argument
/// schemas and the tool's own `inputSchema`, and removes denied tools from every `tools/list`.
///
/// Name decisions are computed once per tool name and cached, so a call costs a dictionary
/// lookup plus the argument checks its rules ask for.
public struct PolicyGate: Gate {
    /// What the rules say about a tool by name alone.
    enum NameDecision: Sendable {
        /// Denied by this rule (nil: by `policy.default`).
        case deny(rule: Int?)
        /// Allowed by these rules (all of their argument schemas must pass; empty: by `policy.default`).
        case allow(rules: [Int])
    }

    public let manifest: Manifest
    let diagnostics: Diagnostics
    private var nameDecisions: [ToolKey: NameDecision] = [:]
    private var inputSchemas: [ToolKey: ArgumentSchema] = [:]
    private var reportedSchemas: Set<String> = []
    /// Every tool name the server listed, and whether a listing reached its last page.
    private var listedTools: Set<ToolKey> = []
    private var sawCompleteListing = false
    private let context: SchemaContext
    private let rules: RuleTable<Void>
    /// Where decisions are recorded, when the manifest asks for an audit trail.
    public private(set) var audit: AuditTrail?

    public init(manifest: Manifest, diagnostics: Diagnostics = .standardError, workingDirectory: String? = nil, audit: AuditTrail? = nil) {
        self.manifest = manifest
        self.diagnostics = diagnostics
        self.audit = audit
        rules = RuleTable(manifest.tools.map { RuleTable.Rule(matcher: $0.matcher, allows: $0.allow, payload: ()) })
        context = SchemaContext(workingDirectory: workingDirectory ?? manifest.defaultServer?.workingDirectory ?? FileIO.currentDirectory())
    }

    public var inspectsToolLists: Bool { true }
    public var observesOutcomes: Bool { audit != nil }

    public mutating func decide(_ call: ToolCall) -> GateVerdict {
        let denial = denial(for: call)
        let decision: AuditRecord.Decision
        let verdict: GateVerdict
        if let denial, manifest.policy.mode == .monitor {
            diagnostics.report("monitor: would deny \(call.name) (\(denial.code.rawValue), \(denial.rule ?? "-")): \(denial.reason)")
            (decision, verdict) = (.wouldDeny, .forward)
        } else if let denial {
            (decision, verdict) = (.denied, .deny(denial))
        } else {
            (decision, verdict) = (.allowed, .forward)
        }
        do throws(AuditError) {
            try audit?.recordDecision(call, decision, denial: denial)
        } catch {
            // Fail closed: a call that cannot be recorded does not run.
            diagnostics.report("audit: cannot record the decision on \(call.name): \(error)")
            guard case .forward = verdict else { return verdict }
            return .deny(Denial(.auditUnavailable, tool: call.name, rule: "audit",
                                reason: "the audit trail cannot be written (\(error)), so no call may run",
                                advice: "Tell the user; retrying will not help until the audit log is writable."))
        }
        return verdict
    }

    public mutating func callCompleted(_ call: ToolCall, outcome: CallOutcome) {
        do throws(AuditError) {
            try audit?.recordOutcome(call, outcome)
        } catch {
            diagnostics.report("audit: cannot record the outcome of \(call.name): \(error)")
        }
    }

    /// The denial the manifest gives this call, or nil when it may run.
    public mutating func denial(for call: ToolCall) -> Denial? {
        switch nameDecision(for: call.name) {
        case .deny(let index):
            let rule = index.map { manifest.tools[$0] }
            let reason = rule.map { $0.reason ?? "the manifest denies this tool" }
                ?? "no rule in the manifest allows this tool, and policy.default is \"deny\""
            return Denial(.toolDenied, tool: call.name, rule: rule?.name ?? "policy.default", reason: reason,
                          advice: "Do not retry it; use another tool or ask the user to allow it.")
        case .allow(let indices):
            if sawCompleteListing && !listedTools.contains(ToolKey(call.name)) {
                return Denial(.unknownTool, tool: call.name, rule: nil,
                              reason: "the server does not offer a tool of this name",
                              advice: "Call tools/list and use one of the tools it returns.")
            }
            let arguments = JSONValue.object(call.arguments)
            for index in indices {
                let rule = manifest.tools[index]
                if let schema = rule.arguments, let violation = schema.validate(arguments) {
                    return argumentsRejected(call, violation, rule: rule.name, reason: rule.reason)
                }
            }
            if manifest.policy.validateInput, let schema = inputSchemas[ToolKey(call.name)], let violation = schema.validate(arguments) {
                return argumentsRejected(call, violation, rule: "inputSchema", reason: nil)
            }
            return nil
        }
    }

    /// An argument denial; the rule's `reason`, when it has one, follows as context for the model.
    private func argumentsRejected(_ call: ToolCall, _ violation: SchemaViolation, rule: String, reason: String?) -> Denial {
        let place = violation.pointer.isEmpty ? "the arguments" : "argument \(violation.pointer)"
        var text = "\(place) \(violation.message) (\(violation.keyword))"
        if let reason { text += "; the rule says: \(reason)" }
        return Denial(.argumentsRejected, tool: call.name, rule: rule, reason: text,
                      advice: "Change the arguments to satisfy this and call again.",
                      details: ["pointer": .string(violation.pointer), "keyword": .string(violation.keyword)])
    }

    /// What the rules say about a name (cached after the first call, so later calls allocate nothing).
    mutating func nameDecision(for name: String) -> NameDecision {
        if let cached = nameDecisions[ToolKey(name)] { return cached }
        let decision: NameDecision
        switch rules.match(name) {
        case .noRule: decision = manifest.policy.defaultDecision == .allow ? .allow(rules: []) : .deny(rule: nil)
        case .denied(let rule): decision = .deny(rule: rule)
        case .allowed(let indices): decision = .allow(rules: indices)
        }
        nameDecisions[ToolKey(name)] = decision
        return decision
    }

    public mutating func filterToolList(_ result: JSONObject) -> JSONObject? {
        guard case .array(let tools)? = result["tools"] else { return nil }
        var kept: [JSONValue] = []
        kept.reserveCapacity(tools.count)
        if result["nextCursor"] == nil { sawCompleteListing = true }
        for tool in tools {
            guard let name = tool["name"]?.stringValue else { kept.append(tool); continue }
            listedTools.insert(ToolKey(name))
            if case .deny = nameDecision(for: name), manifest.policy.mode == .enforce { continue }
            learnInputSchema(of: name, tool["inputSchema"])
            kept.append(tool)
        }
        guard kept.count != tools.count else { return nil }
        var filtered = result
        filtered["tools"] = .array(kept)
        return filtered
    }

    /// Compiles a tool's own input schema (leniently: keywords outside the supported subset are
    /// reported once and ignored).
    private mutating func learnInputSchema(of name: String, _ schema: JSONValue?) {
        guard manifest.policy.validateInput, let schema else { return }
        do throws(SchemaCompileError) {
            let compiled = try ArgumentSchema(compiling: schema, strictness: .lenient, context: context)
            if !compiled.ignoredKeywords.isEmpty, reportedSchemas.insert(name).inserted {
                diagnostics.report("tool \(name): its inputSchema uses keywords Tollgate does not check (ignored): \(compiled.ignoredKeywords.joined(separator: ", "))")
            }
            inputSchemas[ToolKey(name)] = compiled
        } catch {
            if reportedSchemas.insert(name).inserted {
                diagnostics.report("tool \(name): its inputSchema cannot be checked (\(error.message)); calls are checked by the manifest only")
            }
            inputSchemas[ToolKey(name)] = nil
        }
    }
}
