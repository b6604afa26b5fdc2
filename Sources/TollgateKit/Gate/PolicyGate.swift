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
    /// Where decisions are recorded, when the manifest asks for an audit trail.
    public internal(set) var audit: AuditTrail?
    /// Rate limits and budgets, when the manifest sets any (or names a ledger).
    var budgets: BudgetGuard?
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
    /// Where decisions, outcomes and budgets are reported for OpenTelemetry, when it is on.
    public var telemetry: GateTelemetry?

    /// Creates the gate of a manifest. `budgetAccount` keeps the budgets (a ``Ledger`` when the
    /// manifest names one; by default an in-memory ``BudgetState``); `clock` is read for rate
    /// limits (monotonic) and budgets (wall clock).
    public init(manifest: Manifest, diagnostics: Diagnostics = .standardError, workingDirectory: String? = nil, audit: AuditTrail? = nil,
                budgetAccount: (any BudgetAccount)? = nil, clock: GateClock = .system) {
        self.manifest = manifest
        self.diagnostics = diagnostics
        self.audit = audit
        let limits = manifest.budgetLimits
        if budgetAccount != nil || !limits.isEmpty {
            budgets = BudgetGuard(limits: limits, account: budgetAccount ?? BudgetState(limits: limits), clock: clock)
        }
        var pinned: [ProtocolName: Int] = [:]
        for (index, rule) in manifest.tools.enumerated() where rule.pin != nil { pinned[ProtocolName(rule.pattern)] = index }
        pinnedRules = pinned
        hasApprovalRules = manifest.tools.contains { $0.approval != nil }
        hasTimeouts = manifest.policy.defaultTimeoutMilliseconds != nil || manifest.tools.contains { $0.timeoutMilliseconds != nil }
        rules = RuleTable(manifest.tools.map { RuleTable.Rule(matcher: $0.matcher, allows: $0.allow, payload: ()) })
        context = SchemaContext(workingDirectory: workingDirectory ?? manifest.defaultServer?.workingDirectory ?? FileIO.currentDirectory())
    }

    public var inspectsToolLists: Bool { true }
    public var observesOutcomes: Bool { audit != nil || budgets != nil || telemetry != nil }
    public var inspectsResults: Bool { budgets?.inspectsResults ?? false }

    public mutating func decide(_ call: ToolCall) -> GateVerdict {
        if audit != nil || telemetry != nil, (audit?.agent ?? telemetry?.agent) == nil, let clientInfo = call.params["_meta"]?[EraTranslation.clientInfoKey] {
            clientIdentified(clientInfo)
        }
        var denial = denial(for: call)
        var crossings: [BudgetCrossing] = []
        let monitoring = manifest.policy.mode == .monitor
        if budgets != nil, denial == nil || monitoring {
            let rules: [Int] = switch nameDecision(for: call.name) {
            case .allow(let rules): rules
            case .deny(let rule): rule.map { [$0] } ?? []
            }
            let budgetRules = budgetRuleMap.map { map in rules.compactMap { map[$0] } } ?? rules
            if let admission = budgets?.admit(call, rules: budgetRules) {
                crossings = admission.crossings
                denial = denial ?? admission.denial
                if monitoring, admission.denial != nil { budgets?.forwardedUnreserved(call, rules: budgetRules) }
            }
        }
        let decision: AuditRecord.Decision
        let verdict: GateVerdict
        if let denial, monitoring {
            diagnostics.report("monitor: would deny \(call.name) (\(denial.code.rawValue), \(denial.rule ?? "-")): \(denial.reason)")
            (decision, verdict) = (.wouldDeny, .forward)
        } else if let denial {
            (decision, verdict) = (.denied, .deny(denial))
        } else {
            if hasApprovalRules, var hold = approvalHold(for: call) {
                if !monitoring {
                    hold.crossings = crossings
                    telemetry?.sink.record(.held(CallHold(id: call.id)))
                    return .hold(hold)
                }
                diagnostics.report("monitor: would hold \(call.name) for approval (\(hold.rule))")
            }
            (decision, verdict) = (.allowed, .forward)
        }
        return record(call, decision, verdict: verdict, denial: denial, crossings: crossings)
    }

    /// The client's name (`clientInfo.name`) becomes the `agent` of the audit trail's call records.
    public mutating func clientIdentified(_ clientInfo: JSONValue?) {
        guard audit != nil || telemetry != nil, let name = clientInfo?["name"]?.stringValue else { return }
        audit?.agent = name
        telemetry?.agent = AuditTrail.bounded(name)
    }

    /// Records a decision and returns the verdict; a call whose decision cannot be recorded is
    /// denied (`audit_unavailable`) and its budget reservation released. Telemetry learns the
    /// verdict the client gets.
    mutating func record(_ call: ToolCall, _ decision: AuditRecord.Decision, verdict: GateVerdict, denial: Denial?,
                         crossings: [BudgetCrossing] = [], approval: ApprovalOutcome? = nil) -> GateVerdict {
        let recorded = recordInAudit(call, decision, verdict: verdict, denial: denial, crossings: crossings)
        if telemetry != nil { reportDecision(call, decision, verdict: recorded, denial: denial, approval: approval) }
        return recorded
    }

    /// The audit half of ``record(_:_:verdict:denial:crossings:approval:)``.
    private mutating func recordInAudit(_ call: ToolCall, _ decision: AuditRecord.Decision, verdict: GateVerdict, denial: Denial?,
                                        crossings: [BudgetCrossing]) -> GateVerdict {
        do throws(AuditError) {
            if audit != nil {
                let remaining = decision == .denied ? nil : budgets?.remaining(for: call)
                try audit?.recordDecision(call, decision, denial: denial, budgets: remaining)
            }
        } catch {
            // Fail closed: a call that cannot be recorded does not run.
            diagnostics.report("audit: cannot record the decision on \(call.name): \(error)")
            report(crossings)
            guard case .forward = verdict else { return verdict }
            if let problem = budgets?.release(call) { diagnostics.report("budget: cannot release the reservation of \(call.name): \(problem)") }
            return .deny(Denial(.auditUnavailable, tool: call.name, rule: "audit",
                                reason: "the audit trail cannot be written (\(error)), so no call may run",
                                advice: "Tell the user; retrying will not help until the audit log is writable."))
        }
        report(crossings)
        return verdict
    }

    public mutating func callCompleted(_ call: ToolCall, outcome: CallOutcome) {
        _ = callCompleted(call, outcome: outcome, result: nil)
    }

    public mutating func callCompleted(_ call: ToolCall, outcome: CallOutcome, result: JSONObject?) -> JSONObject? {
        let enforce = manifest.policy.mode == .enforce
        let completion = budgets?.complete(call, outcome: outcome, result: result, enforce: enforce)
        audit?.recordOutcome(call, outcome, tokens: completion?.tokens, withheld: completion?.replacement != nil)
        if let telemetry {
            var ended = outcome
            if completion?.replacement != nil, case .result(_, let bytes) = outcome { ended = .result(isError: true, bytes: bytes) }
            telemetry.sink.record(.ended(CallEnd(id: call.id, outcome: ended)))
        }
        guard let completion else { return nil }
        for problem in completion.problems { diagnostics.report(problem) }
        report(completion.crossings)
        return completion.replacement
    }

    /// Reports budget threshold crossings: one stderr line each and, with an audit trail, a `budget` record.
    func report(_ crossings: [BudgetCrossing]) {
        for crossing in crossings {
            diagnostics.report(crossing.message)
            do throws(AuditError) {
                try audit?.recordBudget(crossing)
            } catch {
                diagnostics.report("audit: cannot record \(crossing.budget) reaching \(crossing.percent)%: \(error)")
            }
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
            if toolListing.isAmbiguous(call.name) { return Self.ambiguous(call.name) }
            if let change = pinCheck.change(for: call.name) { return change.denial }
            if sawCompleteListing && !listedTools.contains(ProtocolName(call.name)) {
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
            if manifest.policy.validateInput, let schema = inputSchemas[ProtocolName(call.name)]?.schema, let violation = schema.validate(arguments) {
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

    public mutating func filterToolList(_ result: JSONObject) -> JSONObject? {
        filterToolList(result, cursor: nil).result
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
