import Foundation
import Testing

// Helpers for the policy suites (PolicyTests, PolicySDKTests, ManifestsTests, CheckInitTests):
// manifests written to temporary directories, tollgate with a manifest in front of the fixture,
// the official SDK client through tollgate, and checks of the denial contract.

/// Writes `text` to `name` inside `directory` and returns the file's path.
@discardableResult
func writeFile(_ text: String, named name: String, in directory: TemporaryDirectory) throws -> String {
    let path = directory.path(name)
    do {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    } catch {
        throw E2EError("cannot write \(path): \(error)")
    }
    return path
}

/// `text` as the inside of a JSON string literal (no quotes), for pasting paths into manifests.
func jsonEscaped(_ text: String) throws -> String {
    let data = try JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])
    let literal = String(decoding: data, as: UTF8.self)  // ["..."]
    return String(literal.dropFirst(2).dropLast(2))
}

/// `value` (arrays, dictionaries, strings, numbers) as compact JSON text.
func jsonText(_ value: Any) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.withoutEscapingSlashes]), as: UTF8.self)
}

/// tollgate `run --manifest M` in front of `fixture_server.py` (or `server`), in a temporary
/// directory of its own that also holds the manifest and `FIXTURE_LOG`.
struct PolicySession {
    let directory: TemporaryDirectory
    let gate: GateProcess
    let logPath: String
    let manifestPath: String

    init(
        _ label: String, manifest: String, environment: [String: String?] = [:],
        server: [String] = GateProcess.fixtureServer
    ) throws {
        directory = try TemporaryDirectory(label)
        manifestPath = try writeFile(manifest, named: "manifest.json", in: directory)
        logPath = directory.path("fixture.log")
        var env: [String: String?] = ["FIXTURE_LOG": logPath, "FIXTURE_QUIET": "1"]
        env.merge(environment) { _, new in new }
        gate = try GateProcess(server: server, options: ["--manifest", manifestPath], environment: env, in: directory)
    }

    /// Every raw line the server received so far (without newlines).
    var serverLog: [[UInt8]] { fileLines(logPath) }

    /// The server log as text lines, for messages and searches.
    var serverLogText: [String] { serverLog.map(\.text) }

    /// Sends a ping and reads up to its answer; returns the lines read before it. The fixture
    /// logs each line when it reads it and answers in order, so once the ping is answered every
    /// line sent before it that was forwarded is in the server log.
    @discardableResult
    func sync(id: Int = 9999, timeout: Duration = .seconds(20)) async throws -> [[UInt8]] {
        try await gate.send(RPC.ping(id: "\(id)"))
        let answer = Array(#"{"jsonrpc":"2.0","id":\#(id),"result":{}}"#.utf8)
        return try await gate.readLines(timeout: timeout) { $0 == answer }.dropLast()
    }

    /// Sends one request and returns the next line parsed (the caller expects it to be the answer).
    func call(_ line: String, timeout: Duration = .seconds(20)) async throws -> JSON {
        try await gate.send(line)
        return try await gate.readJSON(timeout: timeout)
    }

    /// Closes tollgate's stdin and returns its exit status.
    func finish(timeout: Duration = .seconds(20)) async throws -> Int32 {
        gate.closeInput()
        return try await gate.waitForExit(timeout: timeout)
    }
}

/// The member names every denial entry has; arguments_rejected adds `pointer` and `keyword`.
let denialBaseKeys: Set<String> = ["code", "tool", "rule", "reason"]

/// Checks a denial as a client sees it (`isError`, the model's text, `_meta`) and returns the
/// `dev.tollgate/denial` entry. `rule` nil: not checked.
@discardableResult
func expectDenialParts(
    isError: Bool?, text: String?, meta: JSON, code: String, tool: String, rule: String?,
    pointer: String? = nil, keyword: String? = nil, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
) -> JSON {
    let entry = meta["dev.tollgate/denial"]
    #expect(isError == true, "\(what): a denial is a tool result with isError true; meta \(meta)", sourceLocation: sourceLocation)
    #expect(text?.hasPrefix("Tollgate refused the call to tool \"\(tool)\" (\(code))") == true,
            "\(what): the model's text: \(text ?? "<none>")", sourceLocation: sourceLocation)
    #expect(entry["code"].string == code, "\(what): code in \(entry)", sourceLocation: sourceLocation)
    #expect(entry["tool"].string == tool, "\(what): tool in \(entry)", sourceLocation: sourceLocation)
    if let rule {
        #expect(entry["rule"].string == rule, "\(what): expected rule \(rule) in \(entry)", sourceLocation: sourceLocation)
    }
    #expect(entry["reason"].string?.isEmpty == false, "\(what): reason in \(entry)", sourceLocation: sourceLocation)
    var keys = denialBaseKeys
    if code == "arguments_rejected" {
        keys.formUnion(["pointer", "keyword"])
        if let pointer {
            #expect(entry["pointer"].string == pointer, "\(what): expected pointer \(pointer) in \(entry)", sourceLocation: sourceLocation)
        }
        if let keyword {
            #expect(entry["keyword"].string == keyword, "\(what): expected keyword \(keyword) in \(entry)", sourceLocation: sourceLocation)
        }
    }
    if code == "budget_exhausted" {
        keys.formUnion(["budget", "used", "cap"])
        if entry["resetsAt"].exists { keys.formUnion(["resetsAt", "resetsAtMs"]) }
    }
    if code == "rate_limited" { keys.formUnion(["retryAfterMs", "rate", "limit"]) }
    if code == "tool_changed" { keys.formUnion(["changed", "listedPin"]) }
    if code == "timeout" { keys.insert("timeoutMs") }
    #expect(entry.object.map { Set($0.keys) } == keys, "\(what): the denial entry's members: \(entry)", sourceLocation: sourceLocation)
    return entry
}

/// Checks a raw JSON-RPC response from tollgate is a denial of call `id`: a result with
/// `isError: true`, exactly one text content item, and the `_meta` entry. Returns the entry.
@discardableResult
func expectDenial(
    _ response: JSON, id: Int?, code: String, tool: String, rule: String?,
    pointer: String? = nil, keyword: String? = nil, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
) -> JSON {
    if let id {
        #expect(response["id"].int == id, "\(what): expected id \(id): \(response)", sourceLocation: sourceLocation)
    }
    #expect(response["error"].exists == false, "\(what): a denial is a result, not an error: \(response)", sourceLocation: sourceLocation)
    let result = response["result"]
    let content = result["content"].array ?? []
    #expect(content.count == 1 && content.first?["type"].string == "text",
            "\(what): a denial has one text content item: \(result["content"])", sourceLocation: sourceLocation)
    return expectDenialParts(isError: result["isError"].bool, text: content.first?["text"].string, meta: result["_meta"],
                             code: code, tool: tool, rule: rule, pointer: pointer, keyword: keyword, what,
                             sourceLocation: sourceLocation)
}

/// Checks one `call_tool` step of `sdk_client.py` is a denial (the client saw the tool error and
/// the denial `_meta`). Returns the entry.
@discardableResult
func expectSDKDenial(
    _ step: JSON, code: String, tool: String, rule: String?, pointer: String? = nil, keyword: String? = nil,
    _ what: String, sourceLocation: SourceLocation = #_sourceLocation
) -> JSON {
    #expect(step["error"].exists == false, "\(what): a denial must reach the SDK as a tool result: \(step)", sourceLocation: sourceLocation)
    #expect(step["name"].string == tool, "\(what): step \(step)", sourceLocation: sourceLocation)
    return expectDenialParts(isError: step["isError"].bool, text: step["text"].string, meta: step["meta"],
                             code: code, tool: tool, rule: rule, pointer: pointer, keyword: keyword, what,
                             sourceLocation: sourceLocation)
}

/// Checks one `call_tool` step of `sdk_client.py` succeeded (not an error, no denial).
func expectSDKSuccess(_ step: JSON, tool: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(step["name"].string == tool && step["isError"].bool == false && step["error"].exists == false,
            "\(what): expected a successful call of \(tool): \(step)", sourceLocation: sourceLocation)
    #expect(step["meta"]["dev.tollgate/denial"].exists == false, "\(what): unexpected denial: \(step)", sourceLocation: sourceLocation)
}

/// The official Python SDK client (`Tests/Fixtures/sdk_client.py`) run against a command.
enum SDKClient {
    /// Runs `sdk_client.py --mode MODE --script SCRIPT [extra] -- command...` and returns its
    /// report. Fails the test when the session broke (exit status or `fatal`).
    static func run(
        mode: String, script: [[String: Any]], command: [String], extra: [String] = [],
        environment: [String: String?] = [:], timeout: Duration = .seconds(90)
    ) async throws -> JSON {
        try await run(mode: mode, scriptJSON: try jsonText(script), command: command, extra: extra,
                      environment: environment, timeout: timeout)
    }

    /// The same with the script as JSON text (for numbers JSONSerialization would rewrite, e.g. `100.0`).
    static func run(
        mode: String, scriptJSON scriptText: String, command: [String], extra: [String] = [],
        environment: [String: String?] = [:], timeout: Duration = .seconds(90)
    ) async throws -> JSON {
        let python = try await PythonEnvironment.python()
        let arguments = [python, Repository.sdkClient, "--mode", mode, "--script", scriptText,
                         "--timeout", "20", "--deadline", "\(Int(timeout.seconds) - 5)"] + extra + ["--"] + command
        let output = try await Subprocess.run(arguments, environment: environment, timeout: timeout)
        let report = try JSON(parsing: output.stdout)
        #expect(output.status == 0, "sdk_client.py exited \(output.status): \(report["fatal"]); stderr:\n\(output.stderr.suffix(3000))")
        #expect(report["fatal"].exists == false, "session failed: \(report["fatal"]); stderr:\n\(output.stderr.suffix(3000))")
        return report
    }

    /// The steps of a report, requiring exactly `count` of them.
    static func steps(_ report: JSON, count: Int, sourceLocation: SourceLocation = #_sourceLocation) throws -> [JSON] {
        let steps = try #require(report["steps"].array, "no steps in \(report)", sourceLocation: sourceLocation)
        try #require(steps.count == count, "expected \(count) steps: \(report)", sourceLocation: sourceLocation)
        return steps
    }
}

extension PythonEnvironment {
    /// `mcp-server-sqlite` in the sqlite venv next to the main venv (it needs the mcp 1.x SDK).
    static func sqliteServer() async throws -> String {
        let venv = try await venv()
        let path = URL(fileURLWithPath: venv).deletingLastPathComponent().appendingPathComponent("test-venv-sqlite/bin/mcp-server-sqlite").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw E2EError("scripts/python-env made \(venv) but no \(path)")
        }
        return path
    }
}

/// The shipped manifests.
enum ShippedManifests {
    static var directory: String { Repository.root + "/manifests" }

    /// Every manifest file in manifests/ (not the JSON Schema of the format).
    static func all() throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        return names.filter { $0.hasSuffix(".json") && $0 != "tollgate.schema.json" }.sorted().map { directory + "/" + $0 }
    }
}

/// Runs `tollgate ARGS...` to completion (check, init), in `directory` if given, with `input` on stdin.
func runTollgate(_ arguments: [String], environment: [String: String?] = [:], directory: String? = nil, input: String? = nil,
                 timeout: Duration = .seconds(90)) async throws -> CommandOutput {
    try await Subprocess.run([try TollgateBinary.path()] + arguments, environment: environment, directory: directory, input: input, timeout: timeout)
}
