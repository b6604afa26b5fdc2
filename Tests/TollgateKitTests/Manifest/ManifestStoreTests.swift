import Testing
@testable import TollgateKit

/// The store's keys and budget scopes of a manifest: what loads, and what is refused with
/// file:line, key path and what is expected.
@Suite("Manifest store and scopes")
struct ManifestStoreTests {
    @Test("a store with every setting; scopes resolve from variables, the password variable is only named")
    func loads() throws {
        let manifest = try parseManifest("""
            {
              "version": 1,
              "budgets": {"calls": 100, "store": "redis+unix:///run/redis.sock?db=2", "storeUser": "gate", "storePassword": "${REDIS_PASSWORD}",
                          "namespace": "team-a", "onStoreFailure": "local", "localShare": 0.1, "storeTimeoutMs": 80,
                          "storeConnectTimeoutMs": 500, "scope": "agent"},
              "tools": {"git_*": {"budget": {"calls": 5, "scope": "${TOLLGATE_AGENT}/${TOLLGATE_WORKFLOW}"}}, "echo": {}}
            }
            """, environment: ["TOLLGATE_AGENT": "alice", "TOLLGATE_WORKFLOW": "nightly-7", "REDIS_PASSWORD": "s3cret"]).get()
        let store = try #require(manifest.budgets.store)
        #expect(store.endpoint == StoreEndpoint(address: .unix(path: "/run/redis.sock"), database: 2))
        #expect(store.user == "gate" && store.passwordVariable == "REDIS_PASSWORD" && store.namespace == "team-a")
        #expect(store.onFailure == .local(share: try CostUnits(parsing: "0.1")))
        #expect(store.operationTimeoutMs == 80 && store.connectTimeoutMs == 500)
        let limits = manifest.budgetLimits
        #expect(limits.spendScope == "agent:alice")
        #expect(limits.spendScope(rule: 0) == "alice/nightly-7" && limits.spendScope(rule: 1) == "agent:alice")
        #expect(manifest.budgetsSummary.contains("store redis+unix:///run/redis.sock?db=2 (namespace team-a)"), "\(manifest.budgetsSummary)")
        let plain = try parseManifest(#"{"version": 1, "budgets": {"calls": 1, "store": "redis://127.0.0.1"}}"#).get()
        #expect(plain.budgets.store?.onFailure == .deny && plain.budgets.store?.namespace == "tollgate" && plain.budgetLimits.spendScope == "global")
        #expect(plain.budgets.store?.operationTimeoutMs == 50 && plain.budgets.store?.connectTimeoutMs == 1000)
    }

    @Test("store mistakes are refused with file:line and what is expected")
    func refusals() {
        let issues = manifestIssues("""
            {
              "version": 1,
              "budgets": {"calls": 10, "store": "rediss://h:6380", "ledger": "b.ledger", "storeUser": "gate",
                          "namespace": "a b", "onStoreFailure": "local", "storeTimeoutMs": 0},
              "tools": {"x": {"budget": {"calls": 1, "scope": "team"}}}
            }
            """)
        let byPath = Dictionary(issues.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(byPath["budgets.store"]?.message.contains("TLS") == true && byPath["budgets.store"]?.line == 3)
        #expect(byPath["budgets.ledger"]?.message.contains("choose one") == true)
        #expect(byPath["budgets.storeUser"]?.message.contains("needs \"storePassword\"") == true)
        #expect(byPath["budgets.namespace"]?.message.contains("1 to 64") == true && byPath["budgets.namespace"]?.line == 4)
        #expect(byPath["budgets.onStoreFailure"]?.message.contains("needs \"localShare\"") == true)
        #expect(byPath["budgets.storeTimeoutMs"] != nil)
        #expect(byPath["tools.x.budget.scope"]?.message.contains("\"global\", \"agent\"") == true && byPath["tools.x.budget.scope"]?.line == 5)
        #expect(issues.allSatisfy { $0.file == "test.json" && $0.line > 0 })

        let password = manifestIssues(#"{"version": 1, "budgets": {"store": "redis://h", "storePassword": "hunter2", "localShare": 0.5}}"#)
        #expect(password.map(\.path).sorted() == ["budgets.localShare", "budgets.storePassword"])
        #expect(password.first { $0.path == "budgets.storePassword" }?.message.contains("readable by whoever reads the manifest") == true)
        let orphan = manifestIssues(#"{"version": 1, "budgets": {"namespace": "a", "onStoreFailure": "deny"}}"#)
        #expect(orphan.map(\.path).sorted() == ["budgets.namespace", "budgets.onStoreFailure"] && orphan.allSatisfy { $0.message.contains("needs \"store\"") })
        let share = manifestIssues(#"{"version": 1, "budgets": {"store": "redis://h", "onStoreFailure": "local", "localShare": 1.5}}"#)
        #expect(share.map(\.path) == ["budgets.localShare"])
        let huge = manifestIssues(#"{"version": 1, "budgets": {"store": "redis://h", "cost": 9100000000}}"#)
        #expect(huge.map(\.path) == ["budgets"] && huge[0].message.contains("the largest the store counts exactly"))
    }

    @Test("the password's variable is a secret: unset, it stops run; referred to elsewhere or given to a server, it is refused")
    func passwordIsSecret() {
        let unset = manifestIssues(#"{"version": 1, "budgets": {"store": "redis://h", "storeUser": "u", "storePassword": "${STORE_PW_UNSET_IN_TESTS}"}}"#)
        #expect(unset.map(\.path) == ["budgets.storePassword"] && unset[0].message.contains("STORE_PW_UNSET_IN_TESTS"))
        guard case .failure(let leaked) = parseManifest("""
            {"version": 1, "budgets": {"store": "redis://h", "storePassword": "${PW}"},
             "servers": {"s": {"command": "echo", "args": ["${PW}"], "env": {"PW": "x"}}}}
            """, environment: ["PW": "secret"]) else { Issue.record("loaded"); return }
        #expect(leaked.issues.count == 2 && leaked.issues.allSatisfy { $0.message.contains("secret") }, "\(leaked.issues)")
    }

    @Test("a scope without its name stops run with a hint; check only warns; budget show leaves it unnamed")
    func unnamedScope() throws {
        let text = #"{"version": 1, "budgets": {"calls": 3, "scope": "workflow"}}"#
        let issues = manifestIssues(text)
        #expect(issues.map(\.path) == ["budgets.scope"] && issues[0].message.contains("--workflow ID"), "\(issues)")
        let checked = try parseManifest(text, allowsUnsetVariables: true).get()
        #expect(checked.unsetVariables.count == 1)
        var options = ManifestLoadOptions(environment: [:])
        options.resolvesSpendScopes = false
        let shown = try ManifestLoader.parse(SourceText(path: "m.json", bytes: Array(text.utf8)), options: options)
        #expect(shown.budgetLimits.spendScope.isEmpty)
        options.resolvesSpendScopes = true
        options.runID = "0123abcd"
        let run = try ManifestLoader.parse(SourceText(path: "m.json", bytes: Array(#"{"version": 1, "budgets": {"calls": 3, "scope": "run"}}"#.utf8)), options: options)
        #expect(run.budgetLimits.spendScope == "run:0123abcd")
        let named = try parseManifest(#"{"version": 1, "budgets": {"calls": 3, "scope": "run"}}"#, environment: ["TOLLGATE_RUN": "ci-881"]).get()
        #expect(named.budgetLimits.spendScope == "run:ci-881")
    }
}
