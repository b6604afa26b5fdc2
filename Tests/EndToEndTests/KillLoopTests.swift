import Foundation
import Testing

/// `kill -9` at random moments during calls never loses spend and never corrupts the ledger.
@Suite("Budgets under kill -9", .timeLimit(.minutes(2)))
struct KillLoopTests {
    @Test("10 runs killed at random moments: the ledger's spend ≥ the calls the server executed, it reads back whole, budget show agrees")
    func killLoop() async throws {
        let shared = try TemporaryDirectory("kill-loop")
        let ledger = shared.path("budgets.ledger")
        let executed = shared.path("executed.log")
        let manifest = #"{"version": 1, "budgets": {"calls": 100000, "ledger": "\#(try jsonEscaped(ledger))"}, "tools": {"echo": {}, "sleep": {}}}"#
        var generator = SystemRandomNumberGenerator()
        var killedWithCallsInFlight = 0
        var executedBefore = 0
        for run in 0..<10 {
            let session = try PolicySession("kill-\(run)", manifest: manifest, environment: ["FIXTURE_EXECUTED": executed])
            for id in 0..<30 {
                let call = id % 5 == 4
                    ? RPC.toolCall(id: "\(run * 100 + id)", name: "sleep", arguments: #"{"ms":20}"#)
                    : RPC.toolCall(id: "\(run * 100 + id)", name: "echo", arguments: #"{"text":"run \#(run) call \#(id)"}"#)
                try await session.gate.send(call)
            }
            // Once the server answers the first call, kill at a random moment among the rest.
            _ = try await session.gate.readJSON()
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...40, using: &generator)))
            kill(session.gate.pid, SIGKILL)
            #expect(try await session.gate.waitForExit(timeout: .seconds(20)) == 128 + SIGKILL)
            let executedSoFar = fileLines(executed).count
            if executedSoFar - executedBefore < 30 { killedWithCallsInFlight += 1 }
            executedBefore = executedSoFar
        }
        // The fixture dies with tollgate (PR_SET_PDEATHSIG); give its last write a moment to land.
        try await Task.sleep(for: .milliseconds(200))
        let executedCalls = fileLines(executed).count
        let records = try String(contentsOfFile: ledger, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let reserves = records.filter { $0.contains(#""k":"reserve""#) }.count
        let releases = records.filter { $0.contains(#""k":"release""#) }.count
        #expect(reserves - releases >= executedCalls, "the ledger counts \(reserves - releases) calls, the server executed \(executedCalls)")
        #expect(executedCalls > 0, "some calls ran")

        let manifestPath = try writeFile(manifest, named: "m.json", in: shared)
        let show = try await runTollgate(["budget", "show", "--manifest", manifestPath, "--json"])
        #expect(show.status == 0, "stderr: \(show.stderr)")
        let report = try JSON(parsing: show.stdout)
        let calls = try #require(report["budgets"].array?.first { $0["budget"].string == "budgets.calls" }, "\(report)")
        #expect(calls["used"].int == reserves - releases, "budget show \(calls) against \(reserves) reserve and \(releases) release records")
        // Every complete line is a whole record (a torn last line, if a kill landed inside a write, is cut off by the next writer).
        let complete = records.dropLast()
        let broken = complete.filter { line in (try? JSON(parsing: String(line.drop { $0 != " " })))?["k"].string == nil }
        #expect(broken.count == 0, "lines that are not whole records: \(broken.prefix(3))")
        Swift.print("kill loop: \(executedCalls) calls executed, \(reserves - releases) counted, \(killedWithCallsInFlight) of 10 runs killed with calls unexecuted")
    }
}
