/// The gate a manifest defines: decides every call by the manifest's rules, its argument
/// schemas and the tool's own `inputSchema`, and removes denied tools from every `tools/list`.
///
/// Name decisions are computed once per tool name and cached, so a call costs a dictionary
/// lookup plus the argument checks its rules ask for. What the gate remembers of names (the
/// cache, the names listed, their input schemas, reports made once) is bounded by ``limits``.
public struct PolicyGate: Gate {
    /// What the rules say about a tool by name alone.
    enum NameDecision: Sendable {
        /// Denied by this rule (nil: by `policy.default`).
        case deny(rule: Int?)
        /// Allowed by these rules (all of their argument schemas must pass; empty: by `policy.default`).
        case allow(rules: [Int])
    }

    /// A tool's own `inputSchema`, compiled, and the size it was compiled from.
    struct LearnedSchema: Sendable {
        var schema: ArgumentSchema
        var bytes: Int
    }

    public let manifest: Manifest
    let diagnostics: Diagnostics
    /// The bounds on what the gate remembers of names.
    var limits = PeerLimits.standard
    private(set) var nameDecisions: [ProtocolName: NameDecision] = [:]
    /// The compiled input schemas of listed tools, and their bytes together.
    private(set) var inputSchemas: [ProtocolName: LearnedSchema] = [:]
    private(set) var inputSchemaBytes = 0
    /// The tools whose input schema was reported (once each).
    var reportedSchemas = ReportedOnce()
    /// Every tool name the server listed (within ``PeerLimits/listedNames``), and whether a
    /// listing reached its last page.
    var listedTools: Set<ProtocolName> = []
    var sawCompleteListing = false
    /// What is said once about the first complete listing (offered, hidden, no rule matching).
    var listingNote = ListingNote()
    /// After a reload: this manifest's rule index → the index of the same budget settings in the
    /// manifest the budgets were made for (nil: the rule has none); nil when no reload happened.
    var budgetRuleMap: [Int?]?
    private let context: SchemaContext
    private let rules: RuleTable<Void>
    /// What decisions asked to be carried out with I/O, in order, until the session takes them
    /// (``takeEffects()``): the gate itself does no I/O.
    var effects: [GateEffect] = []
    /// Whether decisions queue effects (there is an audit trail or a budget to carry them out).
    var queuesEffects: Bool { didSet { needs = neededNow } }
    /// Whether the agent's name was queued for the audit trail.
    var agentIdentified = false
    /// `maxResultTokens` and the result tokens budgets count.
    let resultCap: ResultCap
    /// How soon after a call the effects want a tick (a ledger's batched sync); nil: never.
    var syncIntervalMilliseconds: Int64? { didSet { needs = neededNow } }
    /// The rules that pin a tool's definition, by tool name.
    let pinnedRules: [ProtocolName: Int]
    /// Listed definitions against their pins.
    var pinCheck = PinCheck()
    /// The pages of the server's listings, and the names listed twice.
    var toolListing = ToolListing()
    /// Whether some rule asks for approval.
    let hasApprovalRules: Bool
    /// Whether any rule or `policy.defaultTimeoutSeconds` sets a timeout.
    let hasTimeouts: Bool
    /// How often telemetry samples the budgets, when the effects report to telemetry (nil: they
    /// do not).
    var telemetryIntervalMilliseconds: Int64? { didSet { needs = neededNow } }
    /// Whether the effects keep budgets for telemetry to sample.
    var samplesBudgets: Bool { didSet { needs = neededNow } }
    /// Whether sampling is capped (``GateNeeds/sampling``).
    let samplingCapped: Bool
    /// What the session must show this gate: read on every message, so kept, not worked out
    /// (``neededNow`` when what it depends on changes).
    public private(set) var needs: GateNeeds = []

    /// Creates the gate of a manifest; `effects` are the audit trail and budgets its decisions
    /// are carried out on (none: decisions stand as taken).
    public init(manifest: Manifest, diagnostics: Diagnostics = .standardError, workingDirectory: String? = nil, effects: CallEffects? = nil) {
        self.manifest = manifest
        self.diagnostics = diagnostics
        queuesEffects = effects.map { !$0.isEmpty } ?? false
        syncIntervalMilliseconds = effects?.budgets?.syncIntervalMilliseconds
        telemetryIntervalMilliseconds = effects?.telemetry?.budgetIntervalMilliseconds
        samplesBudgets = effects?.budgets != nil
        let limits = manifest.budgetLimits
        resultCap = ResultCap(limits: limits)
        samplingCapped = limits.overall.samplingTokens != nil || limits.samplingMaxTokensPerRequest != nil
        var pinned: [ProtocolName: Int] = [:]
        for (index, rule) in manifest.tools.enumerated() where rule.pin != nil { pinned[ProtocolName(rule.pattern)] = index }
        pinnedRules = pinned
        hasApprovalRules = manifest.tools.contains { $0.approval != nil }
        hasTimeouts = manifest.policy.defaultTimeoutMilliseconds != nil || manifest.tools.contains { $0.timeoutMilliseconds != nil }
        rules = RuleTable(manifest.tools.map { RuleTable.Rule(matcher: $0.matcher, allows: $0.allow, payload: ()) })
        context = SchemaContext(workingDirectory: workingDirectory ?? manifest.defaultServer?.workingDirectory ?? FileIO.currentDirectory())
        needs = neededNow
    }

    /// What the session must show this gate, worked out from its settings.
    private var neededNow: GateNeeds {
        var needs: GateNeeds = [.calls, .toolLists]
        if queuesEffects || resultCap.inspectsResults { needs.insert(.outcomes) }
        if resultCap.inspectsResults { needs.insert(.results) }
        if hasTimeouts || hasApprovalRules || tickIntervalMilliseconds != nil { needs.insert(.timers) }
        if hasApprovalRules { needs.insert(.heldCalls) }
        if samplingCapped { needs.insert(.sampling) }
        return needs
    }
    /// Whether the effects report to telemetry: then admissions and completions carry their
    /// time and whether the tool's name is known, and ``note(_:)`` queues what it counts.
    var reportsTelemetry: Bool { telemetryIntervalMilliseconds != nil }

    public mutating func takeEffects() -> [GateEffect] {
        guard !effects.isEmpty else { return [] }
        defer { effects.removeAll(keepingCapacity: true) }
        return effects
    }

    public mutating func decide(_ call: ToolCall) -> GateVerdict {
        let decidedAt = reportsTelemetry ? SystemClock.monotonicNanoseconds() : nil
        if queuesEffects, !agentIdentified, let clientInfo = call.params["_meta"]?[EraTranslation.clientInfoKey] {
            clientIdentified(clientInfo)
        }
        let denial = denial(for: call)
        let monitoring = manifest.policy.mode == .monitor
        var verdict = GateVerdict.forward
        var held = false
        if let denial {
            if monitoring {
                diagnostics.report("monitor: would deny \(call.name) (\(denial.code.rawValue), \(denial.rule ?? "-")): \(denial.reason)")
            } else {
                verdict = .deny(denial)
            }
        } else if hasApprovalRules, let hold = approvalHold(for: call) {
            if monitoring {
                diagnostics.report("monitor: would hold \(call.name) for approval (\(hold.rule))")
            } else {
                verdict = .hold(hold)
                held = true
            }
        }
        if queuesEffects {
            var admission = CallAdmission(call: call, rules: budgetRules(for: call.name), denial: denial, monitoring: monitoring, held: held)
            if reportsTelemetry {
                admission.nameIsKnown = nameIsKnown(call.name)
                admission.decidedAt = decidedAt
            }
            effects.append(.admit(admission))
        }
        return verdict
    }

    /// Whether the server listed `name` or a rule names it exactly (not by a glob): a name
    /// telemetry may use as it is (see ``CallAdmission/nameIsKnown``).
    func nameIsKnown(_ name: String) -> Bool {
        listedTools.contains(ProtocolName(name)) || rules.namesExactly(name)
    }

    /// Learns of something telemetry counts (a dropped response, a restart).
    public mutating func note(_ event: TelemetryCounter) {
        if reportsTelemetry { effects.append(.counted(event)) }
    }

    /// The budget rules a call to `name` counts against: the rules that decided it (mapped to
    /// the running budgets' rules after a reload that kept them).
    mutating func budgetRules(for name: String) -> [Int] {
        let rules: [Int] = switch nameDecision(for: name) {
        case .allow(let rules): rules
        case .deny(let rule): rule.map { [$0] } ?? []
        }
        return budgetRuleMap.map { map in rules.compactMap { map[$0] } } ?? rules
    }

    /// The client's name (`clientInfo.name`) becomes the `agent` of the audit trail's call records.
    public mutating func clientIdentified(_ clientInfo: JSONValue?) {
        guard queuesEffects, !agentIdentified, let name = clientInfo?["name"]?.stringValue else { return }
        agentIdentified = true
        effects.append(.clientIdentified(name))
    }

    public mutating func callCompleted(_ call: ToolCall, outcome: CallOutcome, result: JSONObject?) -> JSONObject? {
        let rules: [Int] = if resultCap.inspectsResults, case .allow(let rules) = nameDecision(for: call.name) { rules } else { [] }
        let checked = resultCap.check(call, rules: rules, outcome: outcome, result: result, enforce: manifest.policy.mode == .enforce)
        for problem in checked.problems { diagnostics.report(problem) }
        if queuesEffects {
            effects.append(.completed(call, outcome, tokens: checked.tokens, withheld: checked.replacement != nil,
                                      endedAt: reportsTelemetry ? SystemClock.monotonicNanoseconds() : nil))
        }
        return checked.replacement
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
            if toolListing.isAmbiguous(call.name) { return Self.ambiguous(call.name) }
            if let change = pinCheck.change(for: call.name) { return change.denial }
            if sawCompleteListing && !listedTools.contains(ProtocolName(call.name)) {
                return Denial(.unknownTool, tool: call.name, rule: nil,
                              reason: "the server does not offer a tool of this name",
                              advice: "Call tools/list and use one of the tools it returns.")
            }
            // The arguments are parsed only for a schema to check, and once.
            var arguments: JSONValue?
            for index in indices {
                guard let schema = manifest.tools[index].arguments else { continue }
                let value = arguments ?? .object(call.arguments)
                arguments = value
                if let violation = schema.validate(value) {
                    return argumentsRejected(call, violation, rule: manifest.tools[index].name, reason: manifest.tools[index].reason)
                }
            }
            if manifest.policy.validateInput, !inputSchemas.isEmpty, let schema = inputSchemas[ProtocolName(call.name)]?.schema,
                let violation = schema.validate(arguments ?? .object(call.arguments))
            {
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
        let advice = violation.isUndecided
            ? "Do not retry with the same arguments; a shorter value may be checkable."
            : "Change the arguments to satisfy this and call again."
        return Denial(.argumentsRejected, tool: call.name, rule: rule, reason: text, advice: advice,
                      details: ["pointer": .string(violation.pointer), "keyword": .string(violation.keyword)])
    }

    /// What the rules say about a name (cached after the first call, so later calls allocate
    /// nothing; names past ``PeerLimits/cachedNameBytes``, and new names once
    /// ``PeerLimits/cachedNames`` are cached, are decided again on each call).
    mutating func nameDecision(for name: String) -> NameDecision {
        let cacheable = name.utf8.count <= limits.cachedNameBytes
        if cacheable, let cached = nameDecisions[ProtocolName(name)] { return cached }
        let decision: NameDecision
        switch rules.match(name) {
        case .noRule: decision = manifest.policy.defaultDecision == .allow ? .allow(rules: []) : .deny(rule: nil)
        case .denied(let rule): decision = .deny(rule: rule)
        case .allowed(let indices): decision = .allow(rules: indices)
        }
        if cacheable && nameDecisions.count < limits.cachedNames { nameDecisions[ProtocolName(name)] = decision }
        return decision
    }

    /// Remembers a listed tool name; false when it cannot be offered: longer than
    /// ``PeerLimits/listedNameBytes``, or new once ``PeerLimits/listedNames`` names were listed.
    private mutating func remembersListed(_ name: String) -> Bool {
        let key = ProtocolName(name)
        if listedTools.contains(key) { return true }
        guard name.utf8.count <= limits.listedNameBytes, listedTools.count < limits.listedNames else { return false }
        listedTools.insert(key)
        return true
    }

    public mutating func filterToolList(_ result: JSONObject, cursor: [UInt8]?) -> ToolListFilter {
        guard case .array(let tools)? = result["tools"] else { return ToolListFilter() }
        let enforce = manifest.policy.mode == .enforce
        let nextCursor = result["nextCursor"].flatMap { $0 == .null ? nil : $0.serialized }
        let page = toolListing.read(tools.compactMap { $0["name"]?.stringValue }, cursor: cursor, nextCursor: nextCursor)
        // A name the client got on an earlier page is withdrawn: it must list again to lose it.
        let listAgain = enforce && page.listedTwice.contains { listedTools.contains(ProtocolName($0)) }
        for name in page.listedTwice { reportListedTwice(name) }
        if page.overflows {
            diagnostics.report("\(enforce ? "withheld" : "monitor: would withhold") tools of a tools/list page: the listing holds more than \(ToolListing.maximumNames) names")
        }
        var kept: [JSONValue] = []
        kept.reserveCapacity(tools.count)
        if result["nextCursor"] == nil { sawCompleteListing = true }
        var unremembered = 0
        for tool in tools {
            guard let name = tool["name"]?.stringValue else { kept.append(tool); continue }
            guard remembersListed(name) else {
                unremembered += 1
                continue
            }
            let withheld = enforce && (page.overflows || toolListing.isAmbiguous(name))
            let decision = nameDecision(for: name)
            if !listingNote.isGiven { noteListed(name, decision, withheld: withheld) }
            if withheld { continue }
            if case .deny = decision, enforce { continue }
            if !pinnedRules.isEmpty, case .object(let definition) = tool, !keepsPinned(definition, name: name) { continue }
            learnInputSchema(of: name, tool["inputSchema"])
            kept.append(tool)
        }
        if unremembered > 0 {
            diagnostics.report("tools/list: left out \(unremembered) tool\(unremembered == 1 ? "" : "s") (names over \(limits.listedNameBytes) bytes, or past \(limits.listedNames) distinct names in this run); calls to them are unknown_tool")
        }
        if result["nextCursor"] == nil {
            for line in listingNote.complete(manifest: manifest) { diagnostics.report(line.text, level: line.level) }
        }
        guard kept.count != tools.count else { return ToolListFilter(listAgain: listAgain) }
        var filtered = result
        filtered["tools"] = .array(kept)
        return ToolListFilter(result: filtered, listAgain: listAgain)
    }

    public mutating func toolsListedTwice(_ names: [String]) {
        toolListing.markListedTwice(names)
    }

    /// Reports a name the server listed twice, on stderr (once: the name stays withheld).
    private func reportListedTwice(_ name: String) {
        let monitoring = manifest.policy.mode == .monitor
        diagnostics.report("\(monitoring ? "monitor: would withhold" : "withheld") tool \(name) (tool_ambiguous): "
            + "the server lists more than one tool of this name, so which one a call would run cannot be told\(monitoring ? "" : "; calls to it are refused for the rest of the run")")
    }

    /// The denial of a call to a name the server listed twice.
    static func ambiguous(_ name: String) -> Denial {
        Denial(.toolAmbiguous, tool: name, rule: nil,
               reason: "the server lists more than one tool of this name (their definitions may differ), so which one a call would run cannot be told",
               advice: "Do not use this tool; tell the user the server lists it twice and must be reviewed.")
    }

    /// Notes a listed tool for the first listing's report: whether a rule names it, whether it is
    /// hidden (denied, or withheld for another reason).
    private mutating func noteListed(_ name: String, _ decision: NameDecision, withheld: Bool) {
        let matchesRule: Bool
        let hidden: Bool
        switch decision {
        case .deny(let rule): (matchesRule, hidden) = (rule != nil, true)
        case .allow(let rules): (matchesRule, hidden) = (!rules.isEmpty, withheld)
        }
        listingNote.add(name, matchesRule: matchesRule, hidden: hidden)
    }

    /// Compiles a tool's own input schema (leniently: keywords outside the supported subset are
    /// reported once and ignored). A schema over ``PeerLimits/schemaBytes``, or one that would
    /// take the schemas past ``PeerLimits/schemaTotalBytes``, is not compiled, like one that
    /// cannot be: the tool's calls are checked by the manifest only.
    private mutating func learnInputSchema(of name: String, _ schema: JSONValue?) {
        guard manifest.policy.validateInput, let schema else { return }
        let key = ProtocolName(name)
        let previous = inputSchemas.removeValue(forKey: key)
        inputSchemaBytes -= previous?.bytes ?? 0
        let bytes = schema.approximateSize(limit: limits.schemaBytes)
        guard bytes <= limits.schemaBytes, inputSchemaBytes + bytes <= limits.schemaTotalBytes else {
            if reportedSchemas.insert(name) {
                let why = bytes > limits.schemaBytes ? "it is over \(limits.schemaBytes / 1024) KiB"
                    : "the tools' input schemas together would pass \(limits.schemaTotalBytes >> 20) MiB"
                diagnostics.report("tool \(name): its inputSchema is not checked (\(why)); calls are checked by the manifest only")
            }
            return
        }
        do throws(SchemaCompileError) {
            let compiled = try ArgumentSchema(compiling: schema, strictness: .lenient, context: context)
            if !compiled.ignoredKeywords.isEmpty, reportedSchemas.insert(name) {
                diagnostics.report("tool \(name): its inputSchema uses keywords Tollgate does not check (ignored): \(compiled.ignoredKeywords.joined(separator: ", "))")
            }
            inputSchemas[key] = LearnedSchema(schema: compiled, bytes: bytes)
            inputSchemaBytes += bytes
        } catch {
            if reportedSchemas.insert(name) {
                diagnostics.report("tool \(name): its inputSchema cannot be checked (\(error.message)); calls are checked by the manifest only")
            }
        }
    }

    /// Takes over what another gate learned of the server's tools (a reload).
    mutating func learn(from old: PolicyGate) {
        inputSchemas = old.inputSchemas
        inputSchemaBytes = old.inputSchemaBytes
        reportedSchemas = old.reportedSchemas
        listedTools = old.listedTools
        sawCompleteListing = old.sawCompleteListing
        listingNote = old.listingNote
    }
}
