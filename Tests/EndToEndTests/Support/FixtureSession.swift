import Foundation
import Testing

/// tollgate in front of `fixture_server.py` (plain `python3`), in a temporary directory of its
/// own, with `FIXTURE_LOG` recording every raw line the server receives.
struct FixtureSession {
    let directory: TemporaryDirectory
    let gate: GateProcess
    let logPath: String

    init(_ label: String, environment: [String: String?] = [:], options: [String] = []) throws {
        directory = try TemporaryDirectory(label)
        logPath = directory.path("fixture.log")
        var env: [String: String?] = ["FIXTURE_LOG": logPath]
        env.merge(environment) { _, new in new }
        gate = try GateProcess(server: GateProcess.fixtureServer, options: options, environment: env, in: directory)
    }

    /// Every raw line the server received so far (without newlines).
    var serverLog: [[UInt8]] { fileLines(logPath) }

    /// Closes tollgate's stdin and returns its exit status.
    func finish(timeout: Duration = .seconds(20)) async throws -> Int32 {
        gate.closeInput()
        return try await gate.waitForExit(timeout: timeout)
    }
}

/// Expects `actual` to be exactly the bytes of `expected`.
func expectBytes(
    _ actual: [UInt8]?, _ expected: String, _ what: String = "line",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let expectedBytes = Array(expected.utf8)
    #expect(actual == expectedBytes, "\(what) differs:\n  got      \(actual.map(\.text) ?? "nothing")\n  expected \(expected)",
            sourceLocation: sourceLocation)
}

/// Expects a JSON-RPC error response with one of `codes` and the given id (nil: `null`).
func expectError(
    _ response: JSON, id: Int?, codes: Set<Int>, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let code = response["error"]["code"].int
    #expect(code.map(codes.contains) == true, "\(what): expected an error with code in \(codes.sorted()), got \(response)",
            sourceLocation: sourceLocation)
    #expect(response["result"].exists == false, "\(what): an error response has no result: \(response)", sourceLocation: sourceLocation)
    if let id {
        #expect(response["id"].int == id, "\(what): expected id \(id), got \(response)", sourceLocation: sourceLocation)
    } else {
        #expect(response["id"].isNull, "\(what): expected id null, got \(response)", sourceLocation: sourceLocation)
    }
}

/// The text of the first content block of a tool result.
func resultText(_ response: JSON) -> String? {
    response["result"]["content"][0]["text"].string
}
