/// The budget keys of a manifest: the `budgets` section and each rule's `budget`, `rate`,
/// `burst`, `cost` and `maxResultTokens`.
extension ManifestLoader {
    /// The largest cap accepted for calls and tokens.
    static let maxCount = 1_000_000_000_000_000

    static func decodeBudgets(_ node: SourceValue, directory: String, decoder: inout ManifestDecoder) -> Manifest.Budgets {
        var budgets = Manifest.Budgets()
        let keys = ["calls", "cost", "resultTokens", "samplingTokens", "samplingMaxTokensPerRequest", "rate", "burst", "window", "ledger", "scope"] + storeKeys
        guard let members = decoder.members(node, path: "budgets", allowed: keys) else { return budgets }
        budgets.store = decodeStore(node, members: members, decoder: &decoder)
        var rate: RateSpec?
        var burst: Int64?
        for member in members {
            let path = "budgets.\(member.key)"
            switch member.key {
            case "calls": budgets.caps.calls = count(member.value, path: path, decoder: &decoder)
            case "cost": budgets.caps.cost = cost(member.value, path: path, decoder: &decoder)
            case "resultTokens": budgets.caps.resultTokens = count(member.value, path: path, decoder: &decoder)
            case "samplingTokens": budgets.caps.samplingTokens = count(member.value, path: path, decoder: &decoder)
            case "samplingMaxTokensPerRequest":
                budgets.samplingMaxTokensPerRequest = decoder.integer(member.value, path: path, range: 1...maxCount).map(Int64.init)
            case "rate": rate = self.rate(member.value, path: path, decoder: &decoder)
            case "burst": burst = self.burst(member.value, path: path, decoder: &decoder)
            case "window":
                guard let text = decoder.string(member.value, path: path) else { break }
                do throws(BudgetSpecError) {
                    budgets.window = try BudgetWindow(parsing: text)
                } catch {
                    decoder.report(error.message, at: member.value, path: path)
                }
            case "scope":
                if let (scope, name) = decodeScope(member.value, path: path, decoder: &decoder) {
                    budgets.scope = scope
                    budgets.spendScope = name
                }
            case "ledger":
                if let file = decoder.expandedFile(member.value, path: path, directory: directory) { budgets.ledger = file }
            default:
                break  // the store's keys, read above
            }
        }
        budgets.rate = rateLimit(rate, burst: burst, node: node, path: "budgets", decoder: &decoder)
        return budgets
    }

    /// Reads one budget key of a rule into `rule.budget`; returns false when `key` is not one.
    static func decodeRuleBudgetKey(_ member: SourceValue.Member, rulePath: String, into budget: inout RuleBudget,
                                    rate: inout RateSpec?, burst: inout Int64?, decoder: inout ManifestDecoder) -> Bool {
        let path = "\(rulePath).\(member.key)"
        switch member.key {
        case "budget":
            let keys = ["calls", "cost", "resultTokens", "per", "scope"]
            guard let members = decoder.members(member.value, path: path, allowed: keys) else { return true }
            for inner in members {
                let innerPath = "\(path).\(inner.key)"
                switch inner.key {
                case "calls": budget.caps.calls = count(inner.value, path: innerPath, decoder: &decoder)
                case "cost": budget.caps.cost = cost(inner.value, path: innerPath, decoder: &decoder)
                case "resultTokens": budget.caps.resultTokens = count(inner.value, path: innerPath, decoder: &decoder)
                case "scope": budget.spendScope = decodeScope(inner.value, path: innerPath, decoder: &decoder)?.name
                default:
                    if let text = decoder.choice(inner.value, path: innerPath, among: ["rule", "tool"]) {
                        budget.per = text == "tool" ? .tool : .rule
                    }
                }
            }
            if !members.contains(where: { ["calls", "cost", "resultTokens"].contains($0.key) }) {
                decoder.report("a budget needs at least one cap: \"calls\", \"cost\" or \"resultTokens\"", at: member.value, path: path)
            }
        case "rate": rate = self.rate(member.value, path: path, decoder: &decoder)
        case "burst": burst = self.burst(member.value, path: path, decoder: &decoder)
        case "cost": budget.cost = cost(member.value, path: path, decoder: &decoder) ?? .zero
        case "maxResultTokens":
            if let value = decoder.integer(member.value, path: path, range: 1...maxCount) { budget.maxResultTokens = Int64(value) }
        default:
            return false
        }
        return true
    }

    /// The rate limit of `rate` and `burst`; a burst without a rate is an error.
    static func rateLimit(_ rate: RateSpec?, burst: Int64?, node: SourceValue, path: String, decoder: inout ManifestDecoder) -> RateLimit? {
        if burst != nil && rate == nil && node["rate"] == nil {
            decoder.report("\"burst\" needs a \"rate\" (for example \"rate\": \"30/min\")", at: node["burst"] ?? node, path: "\(path).burst")
        }
        return rate.map { RateLimit(rate: $0, burst: burst) }
    }

    private static func count(_ node: SourceValue, path: String, decoder: inout ManifestDecoder) -> Int64? {
        decoder.integer(node, path: path, range: 0...maxCount).map(Int64.init)
    }

    private static func burst(_ node: SourceValue, path: String, decoder: inout ManifestDecoder) -> Int64? {
        decoder.integer(node, path: path, range: 1...Int(RateSpec.maxCount)).map(Int64.init)
    }

    private static func cost(_ node: SourceValue, path: String, decoder: inout ManifestDecoder) -> CostUnits? {
        guard case .number(let text) = node.kind else {
            decoder.report("expected a number of cost units (0 or more, like 0.25), found \(ManifestDecoder.show(node))", at: node, path: path)
            return nil
        }
        do throws(BudgetSpecError) {
            return try CostUnits(parsing: text)
        } catch {
            decoder.report(error.message, at: node, path: path)
            return nil
        }
    }

    private static func rate(_ node: SourceValue, path: String, decoder: inout ManifestDecoder) -> RateSpec? {
        guard let text = decoder.string(node, path: path) else { return nil }
        do throws(BudgetSpecError) {
            return try RateSpec(parsing: text)
        } catch {
            decoder.report(error.message, at: node, path: path)
            return nil
        }
    }
}
