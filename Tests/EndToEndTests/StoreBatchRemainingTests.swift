import Foundation
import Testing
@testable import TollgateKit

/// Calls of one group commit reserved in one round trip of a real store: each call's `decision`
/// record still tells what was left after it, as when they were reserved one by one.
@Suite("Store batch: remaining budgets per call", .timeLimit(.minutes(2)))
struct StoreBatchRemainingTests {
    @Test("two calls completed at once: each decision record has the budgets left after it")
    func remainingPerCall() async throws {
        let redis = try await RedisServer("batch-remaining")
        let directory = try TemporaryDirectory("batch-remaining")
        let limits = BudgetLimits(overall: BudgetCaps(calls: 10))
        let settings = StoreSettings(endpoint: try StoreEndpoint(parsing: redis.unixURL()), namespace: "test", onFailure: .deny, operationTimeoutMs: 2000)
        let store = StoreAccount(settings: settings, password: nil, limits: limits, diagnostics: .silent)
        let log = try AuditLog.open(path: directory.path("audit.log"), fsync: .batch)
        let owner = EffectsOwner(CallEffects(audit: AuditTrail(log: log, arguments: .full, server: nil), limits: limits, account: store, diagnostics: .silent))
        let tickets = try (1...2).map { id in
            let call = try ToolCall(id: RequestID(bytes: Array(String(id).utf8), isString: false, hasEscapes: false), params: ["name": "echo", "arguments": [:]])
            return owner.enqueue([.admit(CallAdmission(call: call, rules: [], denial: nil, monitoring: false, held: false))])
        }
        _ = owner.complete(tickets)
        let refused = owner.takeRefusals(tickets)
        #expect(refused.allSatisfy { $0.isEmpty })
        try log.close()
        let records = try String(contentsOfFile: directory.path("audit.log"), encoding: .utf8).split(separator: "\n")
            .map { try JSONValue.parse(String($0)) }.filter { $0["event"] == "decision" }
        #expect(records.count == 2)
        for record in records {
            #expect((record["budgets"]?.objectValue?.count ?? 0) > 0, "no budgets left recorded: \(record)")
        }
        // One by one, the first call leaves 9 of 10 calls and the second 8.
        #expect(records.count == 2 && records[0]["budgets"] != records[1]["budgets"],
                "\(records.map { $0["budgets"].map { String(decoding: $0.serialized, as: UTF8.self) } ?? "-" })")
    }
}
