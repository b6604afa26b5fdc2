import Foundation
import Testing

/// Gate processes (`tollgate run` in front of `fixture_server.py`) sharing one budget store, each
/// in its own folder, with `FIXTURE_EXECUTED` recording every call its server ran.
struct StoreGate {
    let directory: TemporaryDirectory
    let gate: GateProcess
    let executedPath: String

    /// Starts a gate under `manifest` (written to this gate's own folder) with `options` and `environment`.
    init(_ label: String, manifest: String, options: [String] = [], environment: [String: String?] = [:]) throws {
        directory = try TemporaryDirectory(label)
        let manifestPath = try writeFile(manifest, named: "tollgate.json", in: directory)
        executedPath = directory.path("executed")
        var env: [String: String?] = ["FIXTURE_EXECUTED": executedPath, "FIXTURE_QUIET": "1"]
        env.merge(environment) { _, new in new }
        gate = try GateProcess(server: GateProcess.fixtureServer, options: ["--manifest", manifestPath] + options, environment: env, in: directory)
    }

    /// How many calls the server ran.
    var executed: Int { fileLines(executedPath).count }

    /// Sends `count` calls of `tool` at once (ids from `firstID`) and returns the answers by id.
    func burst(_ count: Int, firstID: Int = 1, tool: String = "echo", arguments: String = #"{"text":"hi"}"#) async throws -> [Int: JSON] {
        var lines = ""
        for id in firstID..<(firstID + count) { lines += RPC.toolCall(id: "\(id)", name: tool, arguments: arguments) + "\n" }
        try await gate.send(bytes: Array(lines.utf8))
        var answers: [Int: JSON] = [:]
        while answers.count < count {
            let answer = try await gate.readJSON(timeout: .seconds(30))
            if let id = answer["id"].int { answers[id] = answer }
        }
        return answers
    }

    /// Closes the gate's input and expects it to exit 0.
    func finish() async throws {
        gate.closeInput()
        #expect(try await gate.waitForExit(timeout: .seconds(20)) == 0, "stderr: \(gate.stderrText.suffix(2000))")
    }
}

/// The denial code of an answer, or nil for a result the server gave.
func denialCode(_ answer: JSON) -> String? {
    answer["result"]["_meta"]["dev.tollgate/denial"]["code"].string
}

/// Counts answers by denial code (`ran` for results the server gave).
func tally(_ answers: some Collection<JSON>) -> [String: Int] {
    var counts: [String: Int] = [:]
    for answer in answers { counts[denialCode(answer) ?? (answer["error"].exists ? "error" : "ran"), default: 0] += 1 }
    return counts
}
