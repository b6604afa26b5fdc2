extension AuditRecord {
    /// A `decision` record for a `tools/call`.
    ///
    /// - Parameters:
    ///   - decision: allowed, denied, or would-deny (monitor mode).
    ///   - agent: the agent the call came from (the client's name), if known.
    ///   - workflow: the workflow the call belongs to, if given.
    ///   - server: the server's name, if known.
    ///   - tool: the tool the call named.
    ///   - id: the request id as the client sent it (its JSON text), joining the record to its `outcome`.
    ///   - arguments: the call's arguments as called (nil when the call had none).
    ///   - argumentsMode: what to keep of them; `argumentsSha256` is always recorded.
    ///   - maxArgumentBytes: the canonical size beyond which arguments are cut (see ``AuditArguments``).
    ///   - denial: the denial, for a denied or would-be-denied call (`code`, `rule`, `reason`).
    ///   - outcome: how a forwarded call ended.
    ///   - budgets: budgets remaining after the call.
    ///   - cost: what the call cost (a JSON number), when budgets price it.
    public static func decision(
        _ decision: Decision, agent: String? = nil, workflow: String? = nil, server: String?, tool: String, id: String? = nil, arguments: JSONValue?,
        argumentsMode: AuditRedaction.Mode, maxArgumentBytes: Int = AuditArguments.defaultMaxBytes, denial: Denial? = nil, outcome: Outcome? = nil, budgets: JSONObject? = nil, cost: JSONValue? = nil
    ) -> AuditRecord {
        var record = AuditRecord(event: .decision)
        record[Field.agent] = agent.map(JSONValue.string)
        record[Field.workflow] = workflow.map(JSONValue.string)
        record["id"] = id.map(JSONValue.string)
        record[Field.server] = server.map(JSONValue.string)
        record[Field.tool] = .string(tool)
        record[Field.decision] = .string(decision.rawValue)
        if let denial {
            record[Field.code] = .string(denial.code.rawValue)
            record[Field.rule] = denial.rule.map(JSONValue.string)
            record[Field.reason] = .string(denial.reason)
        }
        if case .object(let object)? = arguments {
            let kept = AuditArguments(object, mode: argumentsMode, maxBytes: maxArgumentBytes)
            record[Field.arguments] = kept.recorded.map(JSONValue.object)
            record[Field.argumentsCut] = kept.cut.map { ["bytes": JSONValue(integerLiteral: $0.bytes), "omitted": JSONValue(integerLiteral: $0.omitted)] }
            record[Field.argumentsSha256] = .string(Hex.encode(kept.sha256))
        } else if let arguments {
            record[Field.arguments] = AuditRedaction.arguments(arguments, mode: argumentsMode)
            record[Field.argumentsSha256] = .string(argumentsSha256(arguments))
        }
        record[Field.outcome] = outcome?.json
        record[Field.budgets] = budgets.map(JSONValue.object)
        record[Field.cost] = cost
        return record
    }

    /// An `outcome` record: how a forwarded call ended (its `decision` record was written before
    /// it was forwarded), with the outcome's denial `code` when the client got one instead of the answer.
    public static func outcome(agent: String? = nil, workflow: String? = nil, server: String?, tool: String, id: String, outcome: Outcome) -> AuditRecord {
        var record = AuditRecord(event: .outcome)
        record[Field.agent] = agent.map(JSONValue.string)
        record[Field.workflow] = workflow.map(JSONValue.string)
        record[Field.code] = outcome.code.map { .string($0.rawValue) }
        record[Field.server] = server.map(JSONValue.string)
        record[Field.tool] = .string(tool)
        record["id"] = .string(id)
        record[Field.outcome] = outcome.json
        return record
    }

    /// A `file_start` record: the first of every log file (see ``Event/fileStart``); the log fills in the rest.
    static let fileStart = AuditRecord(event: .fileStart)

    /// A `start` record: Tollgate began with this manifest (its SHA-256, when there is one).
    public static func start(manifestSha256: String?, server: String? = nil) -> AuditRecord {
        var record = AuditRecord(event: .start)
        record[Field.manifestSha256] = manifestSha256.map(JSONValue.string)
        record[Field.server] = server.map(JSONValue.string)
        return record
    }

    /// A `reload` record: the manifest changed to this one (`result: "applied"`), or a new
    /// manifest was `"invalid"` or `"refused"` (with the `reason`) and the running one stays.
    public static func reload(manifestSha256: String?, result: String = "applied", reason: String? = nil) -> AuditRecord {
        var record = AuditRecord(event: .reload)
        record[Field.manifestSha256] = manifestSha256.map(JSONValue.string)
        record["result"] = .string(result)
        record[Field.reason] = reason.map(JSONValue.string)
        return record
    }

    /// A `server_exit` record: the server ended, with its exit status as text (`exit 0`, `signal 9`).
    public static func serverExit(server: String?, status: String) -> AuditRecord {
        var record = AuditRecord(event: .serverExit)
        record[Field.server] = server.map(JSONValue.string)
        record[Field.status] = .string(status)
        return record
    }

    /// A `budget` record: a budget's use crossed 50%, 80% or 100% of a cap (`budget`, `counter`,
    /// `percent`, `used`, `cap`; cost as a decimal number of units).
    public static func budget(_ crossing: BudgetCrossing, server: String?) -> AuditRecord {
        var record = AuditRecord(event: .budget)
        record[Field.server] = server.map(JSONValue.string)
        record["budget"] = .string(crossing.budget)
        record["counter"] = .string(crossing.counter.description)
        record["percent"] = .number(String(crossing.percent))
        record["used"] = crossing.counter.json(crossing.used)
        record["cap"] = crossing.counter.json(crossing.cap)
        return record
    }

    /// A `budget_store` record: the budget store became unavailable (`state` `unavailable`: calls
    /// are denied; `local`: counted locally) or `available` again, with `store` (its URL) and `reason`.
    public static func budgetStore(_ notice: StoreNotice, server: String?) -> AuditRecord {
        var record = AuditRecord(event: .budgetStore)
        record[Field.server] = server.map(JSONValue.string)
        record["state"] = .string(notice.state.rawValue)
        record["store"] = .string(notice.store)
        record[Field.reason] = .string(notice.message)
        return record
    }

    /// A `budget_reset` record: `tollgate budget reset` deleted `keys` keys of scope `spendScope`
    /// in `store` (of one `budget` when given).
    public static func budgetReset(store: String, spendScope: String, budget: String?, keys: Int) -> AuditRecord {
        var record = AuditRecord(event: .budgetReset)
        record["store"] = .string(store)
        record["spendScope"] = .string(spendScope)
        record["budget"] = budget.map(JSONValue.string)
        record["keys"] = .number(String(keys))
        return record
    }
}
