import Foundation
import Testing

/// Budgets in front of `fixture_server.py`: a call past a cap never reaches the server, two
/// processes sharing a ledger share its caps exactly, and `tollgate budget show` reports what
/// the ledger holds.
@Suite("Budgets", .timeLimit(.minutes(2)))
struct BudgetTests {
    /// The tools/call lines a server received.
    private func toolCalls(_ session: PolicySession) -> [String] {
        session.serverLogText.filter { $0.contains(#""method":"tools/call""#) }
    }

    /// Sends `count` echo calls at once (ids from `firstID`) and returns the responses by id.
    private func burst(_ session: PolicySession, count: Int, firstID: Int = 1) async throws -> [Int: JSON] {
        for id in firstID..<(firstID + count) {
            try await session.gate.send(RPC.toolCall(id: "\(id)", name: "echo", arguments: #"{"text":"call \#(id)"}"#))
        }
        var responses: [Int: JSON] = [:]
        for _ in 0..<count {
            let response = try await session.gate.readJSON()
            if let id = response["id"].int { responses[id] = response }
        }
        return responses
    }

    @Test("a cap of 3 calls: the 4th is denied with budget_exhausted and the server saw exactly 3")
    func capOfThree() async throws {
        let session = try PolicySession("budget-cap", manifest: #"{"version": 1, "budgets": {"calls": 3}, "tools": {"echo": {}}}"#)
        for id in 1...3 {
            let answer = try await session.call(RPC.toolCall(id: "\(id)", name: "echo", arguments: #"{"text":"hi"}"#))
            #expect(resultText(answer) == "hi", "call \(id): \(answer)")
        }
        let fourth = try await session.call(RPC.toolCall(id: "4", name: "echo", arguments: #"{"text":"hi"}"#))
        expectDenial(fourth, id: 4, code: "budget_exhausted", tool: "echo", rule: "budgets", "the 4th call")
        #expect(fourth["result"]["_meta"]["dev.tollgate/denial"]["budget"].string == "budgets.calls")
        try await session.sync()
        #expect(toolCalls(session).count == 3, "the server log: \(session.serverLogText)")
        let stderr = session.gate.stderrText
        #expect(stderr.contains("budget budgets.calls reached 100%: 3 of 3 used"), "stderr: \(stderr)")
        #expect(try await session.finish() == 0)
    }

    @Test("two processes on one ledger with a cap of 60 and 2×50 calls: exactly 60 reach the servers; budget show agrees")
    func sharedLedger() async throws {
        let shared = try TemporaryDirectory("budget-ledger")
        let ledger = shared.path("budgets.ledger")
        let manifest = #"{"version": 1, "budgets": {"calls": 60, "window": "1d", "ledger": "\#(try jsonEscaped(ledger))"}, "tools": {"echo": {}}}"#
        let first = try PolicySession("budget-a", manifest: manifest)
        let second = try PolicySession("budget-b", manifest: manifest)
        async let firstAnswers = burst(first, count: 50)
        async let secondAnswers = burst(second, count: 50, firstID: 1000)
        let answers = Array(try await firstAnswers.values) + Array(try await secondAnswers.values)
        #expect(answers.count == 100)
        let allowed = answers.filter { $0["result"]["isError"].exists == false }
        let denied = answers.filter { $0["result"]["_meta"]["dev.tollgate/denial"]["code"].string == "budget_exhausted" }
        #expect(allowed.count == 60 && denied.count == 40, "allowed \(allowed.count), denied \(denied.count)")
        try await first.sync()
        try await second.sync()
        #expect(toolCalls(first).count + toolCalls(second).count == 60,
                "servers saw \(toolCalls(first).count) + \(toolCalls(second).count)")
        #expect(try await first.finish() == 0)
        #expect(try await second.finish() == 0)

        let reserves = try String(contentsOfFile: ledger, encoding: .utf8).split(separator: "\n").filter { $0.contains(#""k":"reserve""#) }
        #expect(reserves.count == 60)
        let show = try await runTollgate(["budget", "show", "--manifest", first.manifestPath, "--json"])
        #expect(show.status == 0, "stderr: \(show.stderr)")
        let report = try JSON(parsing: show.stdout)
        let calls = try #require(report["budgets"].array?.first { $0["budget"].string == "budgets.calls" }, "\(report)")
        #expect(calls["used"].int == 60 && calls["cap"].int == 60 && calls["runsOut"].string == "exhausted", "\(calls)")
        #expect(calls["recent"].int == 60, "\(calls)")
        #expect(report["window"].string == "1d")
        let text = try await runTollgate(["budget", "show", "--manifest", first.manifestPath])
        #expect(text.status == 0 && text.stdoutText.contains("budgets.calls") && text.stdoutText.contains("60 (100%)"), "\(text.stdoutText)")
    }

    @Test("budget show without a ledger says so and exits 1")
    func showWithoutLedger() async throws {
        let directory = try TemporaryDirectory("budget-show")
        let path = try writeFile(#"{"version": 1, "budgets": {"calls": 5}}"#, named: "m.json", in: directory)
        let output = try await runTollgate(["budget", "show", "--manifest", path])
        #expect(output.status == 1)
        #expect(output.stderr.contains("sets neither budgets.ledger nor budgets.store"), "stderr: \(output.stderr)")
    }

    @Test("a rate-limited call carries retryAfterMs and never reaches the server")
    func rateLimited() async throws {
        let session = try PolicySession("budget-rate", manifest: #"{"version": 1, "tools": {"echo": {"rate": "2/h"}}}"#)
        for id in 1...2 {
            let answer = try await session.call(RPC.toolCall(id: "\(id)", name: "echo", arguments: #"{"text":"hi"}"#))
            #expect(resultText(answer) == "hi", "\(answer)")
        }
        let third = try await session.call(RPC.toolCall(id: "3", name: "echo", arguments: #"{"text":"hi"}"#))
        let entry = expectDenial(third, id: 3, code: "rate_limited", tool: "echo", rule: "tools.echo", "the 3rd call")
        #expect((entry["retryAfterMs"].int ?? 0) > 1_000_000, "\(third)")
        try await session.sync()
        #expect(toolCalls(session).count == 2)
        #expect(try await session.finish() == 0)
    }

    @Test("maxResultTokens: an oversized result is replaced by an isError result that says how large it was")
    func maxResultTokens() async throws {
        let session = try PolicySession("budget-max", manifest: #"{"version": 1, "tools": {"echo": {"maxResultTokens": 100}, "big": {"maxResultTokens": 100}}}"#)
        let small = try await session.call(RPC.toolCall(id: "1", name: "echo", arguments: #"{"text":"short"}"#))
        #expect(resultText(small) == "short")
        let large = try await session.call(RPC.toolCall(id: "2", name: "big", arguments: #"{"mb":0.01}"#))
        #expect(large["id"].int == 2 && large["result"]["isError"].bool == true, "\(large)")
        #expect(large["result"]["_meta"]["dev.tollgate/denial"]["code"].string == "result_too_large")
        #expect(resultText(large)?.contains("asking for less") == true, "\(large)")
        #expect(try await session.finish() == 0)
    }
}
