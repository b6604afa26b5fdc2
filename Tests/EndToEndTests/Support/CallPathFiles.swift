import Foundation
import Testing

// Helpers for the call-path invariant suites (CallPathInvariantTests, CallPathFailClosedTests):
// fixture servers that check, when a call reaches them, that its allowed decision (and its budget
// reservation) is already on file; calls sent all at once; an audit log's decisions by call id.

/// The files the gates and servers of one invariant test share: the audit log, the ledger, the
/// calls the servers ran (`FIXTURE_EXECUTED`) and the calls that reached a server before their
/// records did (`FIXTURE_EARLY_CALLS`).
struct CallPathFiles {
    let audit: String
    let ledger: String
    let executed: String
    let early: String

    /// Files in `directory`; `audit` and `ledger` may be put elsewhere (on a small filesystem).
    init(in directory: TemporaryDirectory, audit: String? = nil, ledger: String? = nil) {
        self.audit = audit ?? directory.path("audit.log")
        self.ledger = ledger ?? directory.path("budgets.ledger")
        executed = directory.path("executed.log")
        early = directory.path("early.log")
    }

    /// The environment that makes `fixture_server.py` refuse to run a call whose allowed decision
    /// is not in the audit log yet (unless `checkingAudit` is false; `match`: `id` for one server,
    /// `arguments` for several, whose ids Tollgate rewrites) and, with `checkingLedger`, whose
    /// reservation is not in the ledger yet.
    func fixtureEnvironment(match: String = "id", checkingAudit: Bool = true, checkingLedger: Bool) -> [String: String?] {
        var environment: [String: String?] = ["FIXTURE_QUIET": "1", "FIXTURE_EXECUTED": executed, "FIXTURE_EARLY_CALLS": early]
        if checkingAudit {
            environment["FIXTURE_AUDIT_CHECK"] = audit
            environment["FIXTURE_AUDIT_MATCH"] = match
        }
        if checkingLedger { environment["FIXTURE_LEDGER_CHECK"] = ledger }
        return environment
    }

    /// The raw ids (`"c7"`, quotes included) of the calls the servers ran, in order.
    var executedIDs: [String] { fileLines(executed).map(\.text) }

    /// The calls that reached a server before their decision or reservation was on file: each
    /// line is the raw id the server got and what it did not find.
    var earlyCalls: [String] { fileLines(early).map(\.text) }

    /// The `used` count of `budgets.calls` as `tollgate budget show --json` reads the ledger.
    func ledgerCalls(manifest: String) async throws -> Int {
        let show = try await runTollgate(["budget", "show", "--manifest", manifest, "--json"])
        guard show.status == 0 else { throw E2EError("budget show exited \(show.status): \(show.stderr)") }
        let report = try JSON(parsing: show.stdout)
        guard let used = report["budgets"].array?.first(where: { $0["budget"].string == "budgets.calls" })?["used"].int else {
            throw E2EError("budget show reports no budgets.calls: \(report)")
        }
        return used
    }

    /// Runs `tollgate audit verify` on the log; its output when it does not verify.
    func auditProblems() async throws -> String? {
        let verified = try await runTollgate(["audit", "verify", audit])
        return verified.status == 0 ? nil : "audit verify exited \(verified.status): \(verified.stdoutText)\(verified.stderr)"
    }
}

/// The `decision` records of an audit log, by the call's id as the client sent it (`"c7"`,
/// quotes included: the records name ids so).
struct AuditDecisions {
    /// How many `allowed` records each id has.
    private(set) var allowed: [String: Int] = [:]
    /// The `code` of each `denied` record, by id.
    private(set) var denied: [String: [String]] = [:]
    /// Every record of the log, of any event.
    private(set) var recordCount = 0

    init(_ path: String) throws {
        for line in fileLines(path) {
            let record = try JSON(parsing: line)
            recordCount += 1
            guard record["event"].string == "decision", let id = record["id"].string else { continue }
            switch record["decision"].string {
            case "allowed": allowed[id, default: 0] += 1
            case "denied": denied[id, default: []].append(record["code"].string ?? "<no code>")
            default: break
            }
        }
    }

    /// How many `allowed` records there are in all.
    var allowedCount: Int { allowed.values.reduce(0, +) }
}

/// How a gate answered one call.
enum CallAnswer: Equatable, CustomStringConvertible {
    /// A result that is not an error: its text.
    case result(String)
    /// A Tollgate denial: its code.
    case denied(String)
    /// Anything else (an error result of the server, a JSON-RPC error): the whole response.
    case other(String)

    init(_ response: JSON) {
        if let code = response["result"]["_meta"]["dev.tollgate/denial"]["code"].string {
            self = .denied(code)
        } else if response["result"]["isError"].bool != true, let text = resultText(response) {
            self = .result(text)
        } else {
            self = .other(response.description)
        }
    }

    /// Whether the server answered (the call ran).
    var isResult: Bool {
        if case .result = self { true } else { false }
    }

    var description: String {
        switch self {
        case .result(let text): "result \(text)"
        case .denied(let code): "denied \(code)"
        case .other(let response): response
        }
    }
}

/// A call of `tool` (default `echo`) whose id and text are both `tag`: returns the raw id as the
/// audit trail and the fixture name it (`"tag"`) and the line.
func taggedCall(_ tag: String, tool: String = "echo") -> (id: String, line: String) {
    ("\"\(tag)\"", RPC.toolCall(id: "\"\(tag)\"", name: tool, arguments: #"{"text":"\#(tag)"}"#))
}

/// Sends every call without waiting, then reads an answer to each; returns them by raw id.
/// Ids must be strings without escapes or numbers (so the raw id can be told from the response).
func sendAtOnce(_ gate: GateProcess, _ calls: [(id: String, line: String)], timeout: Duration = .seconds(30)) async throws -> [String: CallAnswer] {
    try await gate.send(calls.map(\.line).joined(separator: "\n"), timeout: timeout)
    var answers: [String: CallAnswer] = [:]
    for _ in calls {
        let response = try await gate.readJSON(timeout: timeout)
        guard let id = response["id"].string.map({ "\"\($0)\"" }) ?? response["id"].int.map(String.init) else {
            throw E2EError("a response without a usable id: \(response)")
        }
        guard answers.updateValue(CallAnswer(response), forKey: id) == nil else { throw E2EError("two answers to \(id)") }
    }
    return answers
}

/// Answers the MCP handshake (2025-11-25) as a client does.
func initialize(_ gate: GateProcess) async throws {
    let answer = try await gate.exchange(
        #"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"invariants","version":"1"}}}"#,
        id: "0").response
    guard answer["result"]["protocolVersion"].exists else { throw E2EError("initialize failed: \(answer)\(gate.stderrTail)") }
    try await gate.send(RPC.notification(method: "notifications/initialized"))
}
