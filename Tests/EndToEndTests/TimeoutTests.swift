import Foundation
import Testing

/// `timeoutSeconds` in front of `fixture_server.py`: a call that outlives its timeout is answered
/// with a `timeout` denial, and the server receives `notifications/cancelled` for it.
@Suite("Timeouts", .timeLimit(.minutes(2)))
struct TimeoutTests {
    @Test("a sleep past tools.sleep.timeoutSeconds: timeout denial in time, notifications/cancelled with the request's id, the session goes on")
    func sleepTimesOut() async throws {
        let session = try PolicySession("timeout", manifest: """
            {"version": 1, "policy": {"defaultTimeoutSeconds": 30}, "tools": {"sleep": {"timeoutSeconds": 0.5}, "echo": {}}}
            """)
        let started = ContinuousClock.now
        let answer = try await session.call(RPC.toolCall(id: #""slow-1""#, name: "sleep", arguments: #"{"ms":10000}"#))
        let elapsed = ContinuousClock.now - started
        #expect(answer["id"].string == "slow-1")
        let entry = expectDenial(answer, id: nil, code: "timeout", tool: "sleep", rule: "tools.sleep.timeoutSeconds", "the sleep")
        #expect(entry["timeoutMs"].int == 500)
        #expect(elapsed >= .milliseconds(450) && elapsed < .seconds(5), "answered after \(elapsed)")

        try await session.sync()
        let cancels = session.serverLogText.filter { $0.contains("notifications/cancelled") }
        #expect(cancels.count == 1, "the server log: \(session.serverLogText)")
        let cancel = try JSON(parsing: cancels.first ?? "{}")
        #expect(cancel["params"]["requestId"].string == "slow-1", "\(cancel)")
        #expect(cancel["params"]["reason"].string?.contains("timed out") == true, "\(cancel)")

        let echo = try await session.call(RPC.toolCall(id: "2", name: "echo", arguments: #"{"text":"still here"}"#))
        #expect(resultText(echo) == "still here", "\(echo)")
        #expect(session.gate.stderrText.contains("timed out sleep"), "stderr: \(session.gate.stderrText)")
        #expect(try await session.finish() == 0)
    }

    // A generous timeout: a loaded CI machine may take seconds to start Python and answer.
    @Test("calls answered in time are not touched by the timeout")
    func inTime() async throws {
        let session = try PolicySession("timeout-ok", manifest: #"{"version": 1, "tools": {"sleep": {"timeoutSeconds": 60}}}"#)
        let answer = try await session.call(RPC.toolCall(id: "1", name: "sleep", arguments: #"{"ms":50}"#))
        #expect(answer["result"]["isError"].exists == false, "\(answer)")
        try await session.sync()
        #expect(!session.serverLogText.contains { $0.contains("notifications/cancelled") })
        #expect(try await session.finish() == 0)
    }
}
