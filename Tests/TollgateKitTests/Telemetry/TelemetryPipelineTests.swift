import Testing
@testable import TollgateKit

/// The whole pipeline in process: a gate with telemetry, the exporter thread, a file of OTLP
/// JSON lines; and a collector on loopback.
@Suite("Telemetry: the exporter end to end in process")
struct TelemetryPipelineTests {
    static let manifestText = #"{"version": 1, "tools": {"echo": {}}}"#

    func manifest() throws -> Manifest {
        try ManifestLoader.parse(SourceText(path: "/tmp/t.json", bytes: Array(Self.manifestText.utf8)))
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
        var configuration = TelemetryConfiguration()
        configuration.file = scratch.file("otlp.jsonl")
        let telemetry = Telemetry(configuration: configuration, serverName: "fixture", diagnostics: .silent)
        var gate = PolicyGate(manifest: try manifest(), diagnostics: .silent)
        gate.telemetry = GateTelemetry(sink: telemetry, manifest: gate.manifest, budgetIntervalMilliseconds: 1000)
        var session = RelaySession(gate: gate)
        let call = Array(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x"}}}"#.utf8)
        #expect(call.withUnsafeBytes { session.clientLine($0) }.forward != nil)
        _ = Array(#"{"jsonrpc":"2.0","id":1,"result":{"content":[],"isError":false}}"#.utf8).withUnsafeBytes { session.serverLine($0) }
        _ = Array(#"{"jsonrpc":"2.0","id":77,"result":{}}"#.utf8).withUnsafeBytes { session.serverLine($0) }
        _ = try session.reload(with: PolicyGate(manifest: try manifest(), diagnostics: .silent))
        telemetry.finish()
        #expect(telemetry.statistics.exportedSpans == 2)
        let metrics = try lastMetrics(scratch.file("otlp.jsonl"))
        #expect(counted(metrics["tollgate.responses.dropped"]) == "1")
        #expect(counted(metrics["tollgate.reloads"]) == "1")
        #expect(counted(metrics["tollgate.decisions"]) == "1")
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
