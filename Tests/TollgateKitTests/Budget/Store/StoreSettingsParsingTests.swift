import Testing
@testable import TollgateKit

/// `budgets.store` URLs, key names and scope names, as pure values.
@Suite("Store URLs, keys and scopes")
struct StoreSettingsParsingTests {
    @Test("redis:// and redis+unix:// URLs with their defaults; TLS, credentials and junk refused with a reason")
    func endpoints() throws {
        #expect(try StoreEndpoint(parsing: "redis://cache.internal:6380/2") == StoreEndpoint(address: .tcp(host: "cache.internal", port: 6380), database: 2))
        #expect(try StoreEndpoint(parsing: "redis://10.0.0.5") == StoreEndpoint(address: .tcp(host: "10.0.0.5", port: 6379)))
        #expect(try StoreEndpoint(parsing: "redis://[::1]:7000/") == StoreEndpoint(address: .tcp(host: "::1", port: 7000)))
        #expect(try StoreEndpoint(parsing: "redis+unix:///run/redis.sock?db=4") == StoreEndpoint(address: .unix(path: "/run/redis.sock"), database: 4))
        #expect(try StoreEndpoint(parsing: "redis+unix:///run/redis.sock").description == "redis+unix:///run/redis.sock?db=0")
        #expect(try StoreEndpoint(parsing: "redis://[::1]:7000/3").description == "redis://[::1]:7000/3")
        let refusals: [(String, String)] = [
            ("rediss://host:6380", "TLS"), ("redis://user:secret@host", "budgets.storePassword"), ("http://host", "expected"),
            ("redis://host:0", "port"), ("redis://host:70000", "port"), ("redis://host/x", "database"), ("redis://:6379", "no host"),
            ("redis+unix://relative.sock", "absolute path"), ("redis+unix:///s?timeout=1", "db=N"),
            ("redis+unix:///" + String(repeating: "a", count: 120), "longer"),
        ]
        for (text, reason) in refusals {
            do {
                _ = try StoreEndpoint(parsing: text)
                Issue.record("\(text) was accepted")
            } catch {
                #expect(error.message.contains(reason), "\(text): \(error.message)")
            }
        }
    }

    @Test("keys carry the namespace's hash tag and read back into scope and budget, whatever bytes names hold")
    func keys() {
        let keys = StoreKeys(namespace: "team-a")
        let budgets: [BudgetScope] = [.overall, .rule("git_*"), .tool(rule: "fs:%", tool: "read:%3A"), .rule("K\u{212A}")]
        for scope in ["global", "agent:alice", "a%3Ab:c", "wf/42"] {
            for budget in budgets {
                let key = keys.key(.budget, budget, spendScope: scope)
                #expect(key.starts(with: "{team-a}:b:".utf8))
                let parsed = keys.parse(key)
                #expect(parsed?.kind == .budget && parsed?.spendScope == scope && parsed?.budget == budget, "\(String(decoding: key, as: UTF8.self))")
            }
        }
        #expect(String(decoding: keys.key(.rate, .tool(rule: "fs_*", tool: "fs_read"), spendScope: "agent:bob"), as: UTF8.self)
                == "{team-a}:q:agent%3Abob:t:fs_*:fs_read")
        #expect(keys.parse(Array("{other}:b:global:o".utf8)) == nil)
        #expect(keys.parse(Array("{team-a}:b:global:x".utf8)) == nil)
        #expect(keys.parse(Array("{team-a}:b:gl%ZZ:o".utf8)) == nil)
        #expect(StoreKeys.isValidNamespace("tollgate.prod-1") && !StoreKeys.isValidNamespace("a{b}") && !StoreKeys.isValidNamespace(""))
    }

    @Test("scope settings: the four words and templates; anything else refused")
    func scopes() throws {
        #expect(try SpendScope(parsing: "agent") == .agent)
        #expect(try SpendScope(parsing: "${TOLLGATE_AGENT}/${TOLLGATE_WORKFLOW}") == .template("${TOLLGATE_AGENT}/${TOLLGATE_WORKFLOW}"))
        #expect(SpendScope.workflow.template == "workflow:${TOLLGATE_WORKFLOW}")
        #expect(throws: BudgetSpecError.self) { try SpendScope(parsing: "team") }
        #expect(throws: BudgetSpecError.self) { try SpendScope(parsing: "Agent") }
        #expect(SpendScope.isValidName("agent:alice") && !SpendScope.isValidName("") && !SpendScope.isValidName("a\nb"))
    }
}
