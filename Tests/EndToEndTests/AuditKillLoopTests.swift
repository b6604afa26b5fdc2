import Foundation
import Testing

/// `kill -9` at random moments while two Tollgate processes write one audit log: the survivors
/// keep one valid chain (a writer killed holding the log's lock hands it on), and no call ran
/// without its decision on record.
@Suite("Audit trail under kill -9", .timeLimit(.minutes(2)))
struct AuditKillLoopTests {
    @Test("10 runs of two gates on one log, one killed at a random moment: verify passes, every executed call has its allowed decision")
    func killLoop() async throws {
        let shared = try TemporaryDirectory("audit-kill-loop")
        let auditPath = shared.path("audit.log")
        let executed = shared.path("executed.log")
        let manifest = #"{"version": 1, "tools": {"echo": {}, "sleep": {}}, "audit": {"path": "\#(try jsonEscaped(auditPath))", "arguments": "full"}}"#
        var generator = SystemRandomNumberGenerator()
        var (executedBefore, killedWithCallsUnexecuted) = (0, 0)
        for run in 0..<10 {
            let sessions = try (0..<2).map { gate in
                try PolicySession("audit-kill-\(run)-\(gate)", manifest: manifest, environment: ["FIXTURE_EXECUTED": executed])
            }
            for id in 0..<Self.calls {
                for (gate, session) in sessions.enumerated() {
                    let callID = "r\(run)g\(gate)c\(id)"
                    try await session.gate.send(RPC.toolCall(id: "\"\(callID)\"", name: "echo", arguments: #"{"text":"\#(callID)"}"#))
                }
            }
            // Once the victim's server answers its first call, kill it at a random moment among the rest.
            let victim = sessions[run % 2], survivor = sessions[1 - run % 2]
            _ = try await victim.gate.readJSON()
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...20, using: &generator)))
            kill(victim.gate.pid, SIGKILL)
            #expect(try await victim.gate.waitForExit(timeout: .seconds(20)) == 128 + SIGKILL)
            for _ in 0..<Self.calls { _ = try await survivor.gate.readJSON() }
            let executedSoFar = fileLines(executed).count
            if executedSoFar - executedBefore < 2 * Self.calls { killedWithCallsUnexecuted += 1 }
            executedBefore = executedSoFar
            #expect(try await survivor.finish() == 0)
        }
        // The killed gates' servers die with them (PR_SET_PDEATHSIG); give their last writes a moment.
        try await Task.sleep(for: .milliseconds(200))
        let verified = try await runTollgate(["audit", "verify", auditPath])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        let records = try fileLines(auditPath).map { try JSON(parsing: $0) }
        let allowed = Set(records.filter { $0["event"].string == "decision" && $0["decision"].string == "allowed" }.compactMap { $0["id"].string })
        let ran = fileLines(executed).map { String(decoding: $0, as: UTF8.self) }
        #expect(ran.count > 10 * Self.calls, "the survivors' calls and some of the victims' ran")
        #expect(killedWithCallsUnexecuted > 0, "some kill landed while calls were still going through")
        // Both name the id as it was sent: `"r0g1c7"`, quotes included.
        let unrecorded = ran.filter { !allowed.contains($0) }
        #expect(unrecorded.isEmpty, "calls that ran without an allowed decision on record: \(unrecorded.prefix(5))")
        Swift.print("audit kill loop: \(records.count) records, \(ran.count) calls executed, \(killedWithCallsUnexecuted) of 10 runs killed with calls unexecuted, chain intact: \(verified.status == 0)")
    }

    /// Calls each gate is sent per run.
    static let calls = 150
}
