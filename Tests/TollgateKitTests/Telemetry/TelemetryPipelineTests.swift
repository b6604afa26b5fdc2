import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import TollgateKit

/// The whole pipeline in process: a gate whose effects report to telemetry, carried out by an
/// effects owner as the relay's core does, the exporter thread, a file of OTLP JSON lines; and a
/// collector on loopback.
@Suite("Telemetry: the exporter end to end in process")
struct TelemetryPipelineTests {
    static let manifestText = #"{"version": 1, "tools": {"echo": {}}}"#

    func manifest(_ text: String = manifestText) throws -> Manifest {
        try ManifestLoader.parse(SourceText(path: "/tmp/t.json", bytes: Array(text.utf8)))
    }

    /// Telemetry writing to `file` only.
    func fileTelemetry(_ file: String) -> Telemetry {
        var configuration = TelemetryConfiguration()
        configuration.file = file
        return Telemetry(configuration: configuration, serverName: "fixture", diagnostics: .silent)
    }

    /// The gate of `text` whose effects (its budgets, `audit`) report to `telemetry`, carried out
    /// at once; budgets are sampled at most every `interval` ms.
    func reportingGate(_ text: String = manifestText, to telemetry: Telemetry, audit: AuditTrail? = nil,
                       interval: Int64 = 1000) throws -> EffectingGate {
        let manifest = try manifest(text)
        let effects = CallEffects(audit: audit, limits: manifest.budgetLimits, telemetry: GateTelemetry(sink: telemetry, budgetIntervalMilliseconds: interval),
                                  diagnostics: .silent)
        return EffectingGate(PolicyGate(manifest: manifest, diagnostics: .silent, effects: effects), effects: effects)
    }

    /// The spans of every traces line of `path`.
    func spans(_ path: String) throws -> [JSONValue] {
        try auditLines(path).compactMap { try? JSONValue.parse($0) }.flatMap { line in
            (line["resourceSpans"]?.arrayValue ?? []).flatMap { resource in
                (resource["scopeSpans"]?.arrayValue ?? []).flatMap { $0["spans"]?.arrayValue ?? [] }
            }
        }
    }

    /// A span's attributes, by key, as strings.
    func attributes(_ span: JSONValue) -> [String: String] {
        var result: [String: String] = [:]
        for attribute in span["attributes"]?.arrayValue ?? [] {
            if let key = attribute["key"]?.stringValue, let value = attribute["value"]?["stringValue"]?.stringValue { result[key] = value }
        }
        return result
    }

    /// The metrics of the last metrics line of `path`, by name.
    func lastMetrics(_ path: String) throws -> [String: JSONValue] {
        let lines = try auditLines(path).compactMap { try? JSONValue.parse($0) }
        let last = try #require(lines.last { $0["resourceMetrics"] != nil })
        var metrics: [String: JSONValue] = [:]
        for metric in last["resourceMetrics"]?.arrayValue?.first?["scopeMetrics"]?.arrayValue?.first?["metrics"]?.arrayValue ?? [] {
            if let name = metric["name"]?.stringValue { metrics[name] = metric }
        }
        return metrics
    }

    func counted(_ metric: JSONValue?) -> String? {
        metric?["sum"]?["dataPoints"]?.arrayValue?.first?["asInt"]?.stringValue
    }

    @Test("a call through a relay session, a response nobody awaited and a reload: spans and counters in the file")
    func relaySession() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let telemetry = fileTelemetry(scratch.file("otlp.jsonl"))
        let effects = CallEffects(telemetry: GateTelemetry(sink: telemetry, budgetIntervalMilliseconds: 1000), diagnostics: .silent)
        let owner = EffectsOwner(effects)
        var session = RelaySession(gate: PolicyGate(manifest: try manifest(), diagnostics: .silent, effects: effects))
        // As the relay's core: what the session decided is queued, then carried out by the owner.
        func carryOut() { _ = owner.complete(owner.enqueue(session.gate.takeEffects())) }
        let call = Array(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x"}}}"#.utf8)
        #expect(call.withUnsafeBytes { session.clientLine($0) }.forward != nil)
        carryOut()
        _ = Array(#"{"jsonrpc":"2.0","id":1,"result":{"content":[],"isError":false}}"#.utf8).withUnsafeBytes { session.serverLine($0) }
        carryOut()
        _ = Array(#"{"jsonrpc":"2.0","id":77,"result":{}}"#.utf8).withUnsafeBytes { session.serverLine($0) }
        carryOut()
        _ = try session.reload(with: PolicyGate(manifest: try manifest(), diagnostics: .silent))
        carryOut()
        owner.finish()
        telemetry.finish()
        #expect(telemetry.statistics.exportedSpans == 2)
        let metrics = try lastMetrics(scratch.file("otlp.jsonl"))
        #expect(counted(metrics["tollgate.responses.dropped"]) == "1")
        #expect(counted(metrics["tollgate.reloads"]) == "1")
        #expect(counted(metrics["tollgate.decisions"]) == "1")
    }

    @Test("a call the effects refuse after the gate let it through is reported denied with the refusal's code")
    func refusedByEffects() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let telemetry = fileTelemetry(scratch.file("otlp.jsonl"))
        var gate = try reportingGate(#"{"version": 1, "budgets": {"calls": 1}, "tools": {"echo": {}}}"#, to: telemetry)
        #expect(gate.decide(try call("echo", id: 1)) == .forward)
        // The budget is spent: the gate lets the call through, its reservation refuses it.
        #expect(gate.policy.decide(try call("echo", id: 2)) == .forward)
        let refusals = gate.policy.takeEffects().compactMap { gate.effects.perform($0) }
        #expect(refusals.map(\.denial.code) == [.budgetExhausted])
        telemetry.finish()
        let byID = Dictionary(try spans(scratch.file("otlp.jsonl")).map { (attributes($0)["jsonrpc.request.id"] ?? "", attributes($0)) },
                              uniquingKeysWith: { first, _ in first })
        #expect(byID["2"]?["tollgate.decision"] == "denied" && byID["2"]?["tollgate.denial.code"] == "budget_exhausted")
        #expect(byID["1"] == nil, "the allowed call has not ended: its span is still open")
        let decisions = try #require(lastMetrics(scratch.file("otlp.jsonl"))["tollgate.decisions"])
        let points = decisions["sum"]?["dataPoints"]?.arrayValue ?? []
        let denied = points.first { point in
            (point["attributes"]?.arrayValue ?? []).contains { $0["key"] == "tollgate.denial.code" && $0["value"]?["stringValue"] == "budget_exhausted" }
        }
        #expect(denied?["asInt"]?.stringValue == "1")
    }

    @Test("a call whose decision record cannot be written is reported denied audit_unavailable and counted as an audit failure")
    func unrecordable() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let telemetry = fileTelemetry(scratch.file("otlp.jsonl"))
        let log = try AuditLog.open(path: scratch.file("audit.log"), fsync: .batch)
        var gate = try reportingGate(to: telemetry, audit: AuditTrail(log: log, arguments: .full, server: nil))
        try log.close()
        guard case .deny(let denial) = gate.decide(try call("echo", id: 1)) else {
            Issue.record("a call that cannot be recorded must be refused")
            return
        }
        #expect(denial.code == .auditUnavailable)
        telemetry.finish()
        let span = try #require(try spans(scratch.file("otlp.jsonl")).first)
        #expect(attributes(span)["tollgate.decision"] == "denied" && attributes(span)["tollgate.denial.code"] == "audit_unavailable")
        #expect(counted(try lastMetrics(scratch.file("otlp.jsonl"))["tollgate.audit.failures"]) == "1")
    }

    @Test("a held call's span runs from its hold to its end and says how its approval ended; a declined one is denied")
    func held() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let telemetry = fileTelemetry(scratch.file("otlp.jsonl"))
        var gate = try reportingGate(#"{"version": 1, "tools": {"add": {"approval": "ask"}}}"#, to: telemetry)
        for (id, approved) in [(1, true), (2, false)] {
            guard case .hold(let hold) = gate.decide(try call("add", id: id)) else {
                Issue.record("add must be held for approval")
                return
            }
            usleep(20_000)
            _ = gate.approvalDecided(try call("add", id: id), hold: hold,
                                     outcome: ApprovalOutcome(approved: approved, source: .client, detail: approved ? "accept" : "decline"))
        }
        gate.callCompleted(try call("add", id: 1), outcome: .result(isError: false, bytes: 2))
        telemetry.finish()
        let spans = try spans(scratch.file("otlp.jsonl"))
        let approved = try #require(spans.first { attributes($0)["jsonrpc.request.id"] == "1" && $0["kind"] == .number("2") })
        #expect(attributes(approved)["tollgate.decision"] == "allowed" && attributes(approved)["tollgate.approval.outcome"] == "approved by client")
        let start = Int64(approved["startTimeUnixNano"]?.stringValue ?? "") ?? 0
        let end = Int64(approved["endTimeUnixNano"]?.stringValue ?? "") ?? 0
        #expect(end - start >= 20_000_000, "the span starts at the hold, before the person answered")
        let declined = try #require(spans.first { attributes($0)["jsonrpc.request.id"] == "2" })
        #expect(attributes(declined)["tollgate.decision"] == "denied" && attributes(declined)["tollgate.denial.code"] == "approval_denied"
                && attributes(declined)["tollgate.approval.outcome"] == "not approved by client")
    }

    @Test("the gate's tick has the effects sample the budgets for their gauges, once per metric interval; no budgets, no tick")
    func budgetGauges() throws {
        let scratch = try AuditScratch()
        defer { scratch.remove() }
        let telemetry = fileTelemetry(scratch.file("otlp.jsonl"))
        var gate = try reportingGate(#"{"version": 1, "budgets": {"calls": 5}, "tools": {"echo": {}}}"#, to: telemetry, interval: 60_000)
        #expect(gate.tickIntervalMilliseconds == 60_000)
        #expect(gate.decide(try call("echo", id: 1)) == .forward)
        _ = gate.tick()
        let sampled = gate.effects.telemetry?.budgetsSampledAt
        #expect(sampled != nil)
        #expect(gate.decide(try call("echo", id: 2)) == .forward)
        _ = gate.tick()
        #expect(gate.effects.telemetry?.budgetsSampledAt == sampled, "sampled at most once per interval")
        telemetry.finish()
        let used = try #require(lastMetrics(scratch.file("otlp.jsonl"))["tollgate.budget.used"])
        let point = try #require(used["gauge"]?["dataPoints"]?.arrayValue?.first)
        #expect(point["asDouble"] == .number("1"), "the sample taken after the first call: \(point)")

        #expect(try reportingGate(to: telemetry, interval: 60_000).tickIntervalMilliseconds == nil)
    }

    @Test("against a collector on loopback: every span exported, the HTTP client keeps its connection")
    func loopback() throws {
        let collector = try #require(LoopbackCollector())
        defer { collector.stop() }
        var configuration = TelemetryConfiguration()
        configuration.tracesEndpoint = try OTLPEndpoint(base: collector.endpoint, signalPath: "v1/traces")
        configuration.maxSpansPerExport = 10
        let telemetry = Telemetry(configuration: configuration, serverName: nil, diagnostics: .silent)
        for index in 0..<100 {
            let id = RequestID(bytes: Array(String(index).utf8), isString: false, hasEscapes: false)
            telemetry.record(.decided(CallDecision(id: id, tool: "echo", toolIsKnown: true, decision: .allowed)))
            telemetry.record(.ended(CallEnd(id: id, outcome: .result(isError: false, bytes: 1))))
        }
        telemetry.finish()
        #expect(telemetry.statistics == { var expected = TelemetryStatistics(); expected.exportedSpans = 200; return expected }())
    }

    @Test("a collector nobody listens on: spans are dropped and counted, the call path never waits")
    func unreachable() throws {
        let collector = try #require(LoopbackCollector())
        let endpoint = collector.endpoint
        collector.stop()
        var configuration = TelemetryConfiguration()
        configuration.tracesEndpoint = try OTLPEndpoint(base: endpoint, signalPath: "v1/traces")
        let telemetry = Telemetry(configuration: configuration, serverName: nil, diagnostics: .silent)
        let started = SystemClock.monotonicNanoseconds()
        for index in 0..<1000 {
            let id = RequestID(bytes: Array(String(index).utf8), isString: false, hasEscapes: false)
            telemetry.record(.decided(CallDecision(id: id, tool: "echo", toolIsKnown: true, decision: .denied)))
        }
        #expect(SystemClock.monotonicNanoseconds() - started < 500_000_000)
        telemetry.finish()
        #expect(telemetry.statistics.exportedSpans == 0 && telemetry.statistics.droppedSpans == 1000)
    }
}
