/// The budget store's keys of a manifest's `budgets` section (`store`, `storeUser`,
/// `storePassword`, `namespace`, `onStoreFailure`, `localShare`, `storeTimeoutMs`,
/// `storeConnectTimeoutMs`) and budget scopes (`budgets.scope`, a rule's `budget.scope`).
extension ManifestLoader {
    /// The keys of `budgets` about the store.
    static let storeKeys = ["store", "storeUser", "storePassword", "namespace", "onStoreFailure", "localShare", "storeTimeoutMs", "storeConnectTimeoutMs"]

    /// The variable a `storePassword` value names: the value must be exactly `${NAME}`.
    static func storePasswordVariable(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        guard bytes.count > 3, bytes.starts(with: "${".utf8), bytes.last == UInt8(ascii: "}") else { return nil }
        let name = bytes[2..<(bytes.count - 1)]
        return ManifestVariables.isVariableName(name) ? String(decoding: name, as: UTF8.self) : nil
    }

    /// Reads the store's keys of `budgets` (`members` holds them all); nil without `store`, after
    /// reporting any other store key as needing it.
    static func decodeStore(_ node: SourceValue, members: [SourceValue.Member], decoder: inout ManifestDecoder) -> StoreSettings? {
        let present = members.filter { storeKeys.contains($0.key) }
        guard let storeNode = node["store"] else {
            for member in present {
                decoder.report("\"\(member.key)\" needs \"store\" (for example \"store\": \"redis://127.0.0.1:6379/0\")", atOffset: member.keyOffset, path: "budgets.\(member.key)")
            }
            return nil
        }
        var settings: StoreSettings?
        if let text = decoder.expandedString(storeNode, path: "budgets.store") {
            do throws(BudgetSpecError) {
                settings = StoreSettings(endpoint: try StoreEndpoint(parsing: text))
            } catch {
                decoder.report(error.message, at: storeNode, path: "budgets.store")
            }
        }
        if let ledger = node["ledger"] {
            decoder.report("\"ledger\" and \"store\" both keep budgets: choose one (a store is shared across machines, a ledger by the processes of one)", at: ledger, path: "budgets.ledger")
        }
        var onFailure = StoreSettings.OnFailure.deny
        var share: CostUnits?
        for member in present {
            let path = "budgets.\(member.key)"
            switch member.key {
            case "store":
                continue  // read above
            case "storeUser":
                settings?.user = decoder.expandedString(member.value, path: path)
                if node["storePassword"] == nil {
                    decoder.report("\"storeUser\" needs \"storePassword\" (a variable holding the user's password, such as \"${REDIS_PASSWORD}\")", at: member.value, path: path)
                }
            case "storePassword":
                guard case .string(let text) = member.value.kind, let name = storePasswordVariable(text) else {
                    decoder.report("expected a variable holding the password, such as \"${REDIS_PASSWORD}\" (a password written in the manifest is readable by whoever reads the manifest)",
                                   at: member.value, path: path)
                    continue
                }
                settings?.passwordVariable = name
                if decoder.variables.environment[name] == nil && SecretEnvironment.value(of: name) == nil {
                    decoder.reportUnset(name, at: member.value, path: path)
                }
            case "namespace":
                guard let text = decoder.expandedString(member.value, path: path) else { continue }
                guard StoreKeys.isValidNamespace(text) else {
                    decoder.report("a namespace is 1 to 64 letters, digits, '_', '-' and '.', found \"\(text)\"", at: member.value, path: path)
                    continue
                }
                settings?.namespace = text
            case "onStoreFailure":
                if decoder.choice(member.value, path: path, among: ["deny", "local"]).map({ $0.utf8.elementsEqual("local".utf8) }) == true {  // not a protocol name
                    onFailure = .local(share: .zero)
                }
            case "localShare":
                guard case .number(let text) = member.value.kind, let value = try? CostUnits(parsing: text), value.micros > 0, value.micros <= CostUnits.scale else {
                    decoder.report("expected a fraction of each cap above 0 and at most 1 (such as 0.1), found \(ManifestDecoder.show(member.value))", at: member.value, path: path)
                    continue
                }
                share = value
            case "storeTimeoutMs":
                if let value = decoder.integer(member.value, path: path, range: 1...60_000) { settings?.operationTimeoutMs = Int64(value) }
            default:
                if let value = decoder.integer(member.value, path: path, range: 1...60_000) { settings?.connectTimeoutMs = Int64(value) }
            }
        }
        switch (onFailure, share) {
        case (.local, let share?):
            settings?.onFailure = .local(share: share)
        case (.local, nil) where node["localShare"] == nil:
            decoder.report("\"onStoreFailure\": \"local\" needs \"localShare\": the fraction of each cap one gate may spend on its own while the store is away (such as 0.1)",
                           at: node["onStoreFailure"], path: "budgets.onStoreFailure")
        case (.deny, _) where share != nil:
            decoder.report("\"localShare\" only applies with \"onStoreFailure\": \"local\"", at: node["localShare"], path: "budgets.localShare")
        default:
            break
        }
        return settings
    }

    /// Reads a `scope` (`budgets.scope`, `tools.X.budget.scope`) and resolves it to a name; an
    /// unset variable is reported like any other (`check` warns, `run` refuses to start).
    static func decodeScope(_ node: SourceValue, path: String, decoder: inout ManifestDecoder) -> (scope: SpendScope, name: String)? {
        guard let text = decoder.string(node, path: path) else { return nil }
        let scope: SpendScope
        do throws(BudgetSpecError) {
            scope = try SpendScope(parsing: text)
        } catch {
            decoder.report(error.message, at: node, path: path)
            return nil
        }
        var template = scope.template
        func isUnset(_ variable: String) -> Bool { decoder.variables.environment[variable]?.isEmpty ?? true }
        if case .run = scope, isUnset(SpendScope.runVariable) {
            // `run` runs name their own; elsewhere (`check`, `budget show`) there is no run to name.
            guard let runID = decoder.runID else { return (scope, "") }
            template = "run:" + runID
        } else if let variable = scope.variable, isUnset(variable) {
            guard decoder.resolvesSpendScopes else { return (scope, "") }
            let option = variable.utf8.elementsEqual(SpendScope.agentVariable.utf8) ? "--agent NAME" : "--workflow ID"
            decoder.reportUnset(variable, at: node, path: path, message: "the scope \"\(scope)\" needs a name: give tollgate run \(option), or set \(variable)")
            return (scope, "")
        }
        if case .template = scope, !decoder.resolvesSpendScopes, (try? decoder.variables.expand(template)) == nil { return (scope, "") }
        guard let name = decoder.expand(template, at: node, path: path, nonEmpty: true) else { return nil }
        guard SpendScope.isValidName(name) else {
            decoder.report("the scope's name \"\(name)\" must be 1 to \(SpendScope.maxNameBytes) bytes without control characters", at: node, path: path)
            return nil
        }
        return (scope, name)
    }

    /// With a store, every cap and cost must be one the store counts exactly (below 2^53 raw units).
    static func checkStoreAmounts(_ manifest: Manifest, root: SourceValue, decoder: inout ManifestDecoder) {
        guard manifest.budgets.store != nil else { return }
        let limit = StoreSettings.maxExactAmount
        func check(_ caps: BudgetCaps, cost: CostUnits, at node: SourceValue?, path: String) {
            let amounts = BudgetCounter.allCases.compactMap { counter in caps[counter].map { (counter.description, $0) } } + [("cost per call", cost.micros)]
            for (name, amount) in amounts where amount > limit {
                decoder.report("with a store, \(name) may be at most \(limit) (cost: \(CostUnits(micros: limit)) units), the largest the store counts exactly", at: node, path: path)
            }
        }
        check(manifest.budgets.caps, cost: .zero, at: root["budgets"], path: "budgets")
        for rule in manifest.tools where rule.budget.hasCaps || rule.budget.cost != .zero {
            check(rule.budget.caps, cost: rule.budget.cost, at: root["tools"]?[rule.pattern], path: rule.name)
        }
    }
}
