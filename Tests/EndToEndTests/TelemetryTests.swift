import Foundation
import Testing

/// OpenTelemetry export against `otlp_receiver.py`, which parses every body with the official
/// `opentelemetry-proto` package (unknown fields refused, ids checked as 16 and 8 bytes of hex).
@Suite("Telemetry", .timeLimit(.minutes(3)))
struct TelemetryTests {
    static let parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    /// Every receiver record must be a body the official proto accepted.
    func expectAccepted(_ requests: [JSON], sourceLocation: SourceLocation = #_sourceLocation) {
        for request in requests where request["ok"].bool != true {
            Issue.record("the receiver refused a body: \(request["path"]) \(request["error"])", sourceLocation: sourceLocation)
        }
    }

    /// The SERVER span of the call with JSON-RPC id `id`.
    func serverSpan(_ spans: [JSON], id: String) -> JSON? {
        spans.first { $0["kind"].int == 2 && OTLP.attributes($0)["jsonrpc.request.id"]?.string == id }
    }

    @Test("the official SDK's calls: allowed, denied, timed out and over budget, with the conventions' attributes; the client's traceparent is the parent; headers are sent")
    func sdkSession() async throws {
        let directory = try TemporaryDirectory("telemetry-sdk")
        let receiver = try await OTLPReceiver(in: directory)
        let manifest = try writeFile("""
            {"version": 1, "policy": {"default": "deny"},
             "servers": {"fixture": {"command": "python3", "args": ["\(Repository.fixtureServer)"], "env": {"FIXTURE_QUIET": "1"}}},
             "tools": {"echo": {"allow": true}, "sleep": {"allow": true, "timeoutSeconds": 0.3}, "add": {"allow": true, "budget": {"calls": 1}}},
             "audit": {"path": "audit.log"},
             "telemetry": {"endpoint": "\(receiver.endpoint)", "spanDelaySeconds": 0.1, "metricIntervalSeconds": 0.2}}
            """, named: "manifest.json", in: directory)
        let report = try await SDKClient.run(mode: "legacy", script: [
            ["op": "list_tools"],
            ["op": "call_tool", "name": "echo", "arguments": ["text": "hi"], "meta": ["traceparent": Self.parent, "tracestate": "rojo=1"]],
            ["op": "call_tool", "name": "delete_file", "arguments": ["path": "x"]],
            ["op": "call_tool", "name": "sleep", "arguments": ["ms": 5000]],
            ["op": "call_tool", "name": "add", "arguments": ["a": 1, "b": 2]],
            ["op": "call_tool", "name": "add", "arguments": ["a": 1, "b": 2]],
        ], command: [try TollgateBinary.path(), "run", "--manifest", manifest],
           environment: ["OTEL_EXPORTER_OTLP_HEADERS": "x-api-key=s3cret"])
        let steps = try SDKClient.steps(report, count: 6)
        #expect(steps[1]["isError"].bool == false && steps[2]["isError"].bool == true && steps[3]["isError"].bool == true, "\(steps)")
        // Tollgate exports what is left when it exits, before the client's session ends.
        let requests = try await receiver.wait { OTLP.spans($0.map { $0["body"] }).count >= 8 }
        expectAccepted(requests)
        #expect(requests.allSatisfy { $0["contentType"].string == "application/json" && $0["headers"]["x-api-key"].string == "s3cret" })
        let spans = OTLP.spans(requests.map { $0["body"] })
        // JSON-RPC ids: the SDK numbers requests from 0 (initialize), then tools/list, then the calls.
        let echo = try #require(spans.first { $0["name"].string == "tools/call echo" && $0["kind"].int == 2 }, "\(spans)")
        let echoAttributes = OTLP.attributes(echo)
        #expect(echo["traceId"].string == "4bf92f3577b34da6a3ce929d0e0e4736" && echo["parentSpanId"].string == "00f067aa0ba902b7", "\(echo)")
        #expect(echo["traceState"].string == "rojo=1")
        #expect(echoAttributes["mcp.method.name"]?.string == "tools/call" && echoAttributes["gen_ai.tool.name"]?.string == "echo")
        #expect(echoAttributes["gen_ai.operation.name"]?.string == "execute_tool" && echoAttributes["network.transport"]?.string == "pipe")
        #expect(echoAttributes["tollgate.decision"]?.string == "allowed" && echoAttributes["tollgate.server"]?.string == "fixture")
        #expect(echoAttributes["tollgate.agent"]?.string != nil && echoAttributes["jsonrpc.request.id"]?.string != nil && echoAttributes["error.type"] == nil)
        let echoClient = try #require(spans.first { $0["name"].string == "tools/call echo" && $0["kind"].int == 3 })
        #expect(echoClient["parentSpanId"].string == echo["spanId"].string && echoClient["traceId"].string == echo["traceId"].string)

        let denied = try #require(spans.first { $0["name"].string == "tools/call delete_file" }, "\(spans)")
        let deniedAttributes = OTLP.attributes(denied)
        #expect(deniedAttributes["tollgate.decision"]?.string == "denied" && deniedAttributes["tollgate.denial.code"]?.string == "tool_denied")
        #expect(deniedAttributes["tollgate.rule"]?.string == "policy.default" && deniedAttributes["error.type"]?.string == "tool_error")
        #expect(denied["status"]["code"].int == 2 && spans.filter { $0["name"].string == "tools/call delete_file" }.count == 1)

        let timedOut = spans.filter { $0["name"].string == "tools/call sleep" }
        #expect(timedOut.count == 2 && timedOut.allSatisfy { OTLP.attributes($0)["error.type"]?.string == "timeout" && $0["status"]["code"].int == 2 })

        let adds = spans.filter { $0["name"].string == "tools/call add" && $0["kind"].int == 2 }.map(OTLP.attributes)
        let allowed = try #require(adds.first { $0["tollgate.decision"]?.string == "allowed" }, "\(adds)")
        #expect(allowed["tollgate.budget.names"]?["values"][0]["stringValue"].string == "tools.add.budget.calls", "\(allowed)")
        #expect(allowed["tollgate.budget.remaining"]?["values"][0]["doubleValue"].int == 0, "\(allowed)")
        let overBudget = try #require(adds.first { $0["tollgate.decision"]?.string == "denied" })
        #expect(overBudget["tollgate.denial.code"]?.string == "budget_exhausted" && overBudget["tollgate.rule"]?.string == "tools.add")

        let metrics = OTLP.lastMetrics(requests.map { $0["body"] })
        let duration = try #require(metrics.first { $0["name"].string == "mcp.server.operation.duration" })
        #expect(duration["unit"].string == "s" && duration["histogram"]["dataPoints"][0]["explicitBounds"].array?.count == 14)
        #expect(OTLP.sum(metrics, "tollgate.decisions", matching: ["gen_ai.tool.name": "add", "tollgate.denial.code": "budget_exhausted"]) == 1)
        #expect(OTLP.sum(metrics, "tollgate.decisions") == 5)
    }

    @Test("samplers: always_off exports no span but counts every call; traceidratio keeps the traces whose id's low half is under the ratio; a made-up tool is _unknown")
    func samplersAndCardinality() async throws {
        let directory = try TemporaryDirectory("telemetry-sampling")
        let receiver = try await OTLPReceiver(in: directory)
        let calls = [("1", "00-000000000000000a0000000000000001-00f067aa0ba902b7-00"), ("2", "00-000000000000000bffffffffffffffff-00f067aa0ba902b7-01")]
        func run(_ telemetry: String, environment: [String: String?] = [:]) async throws {
            let session = try PolicySession("telemetry-sampling", manifest: """
                {"version": 1, "tools": {"echo": {}}, "telemetry": {"endpoint": "\(receiver.endpoint)", "spanDelaySeconds": 0.1\(telemetry)}}
                """, environment: environment)
            for (id, parent) in calls {
                let answer = try await session.call(RPC.request(id: id, method: "tools/call",
                                                                params: #"{"name":"echo","arguments":{"text":"x"},"_meta":{"traceparent":"\#(parent)"}}"#))
                #expect(resultText(answer) == "x", "\(answer)")
            }
            // Under the ratio too, so its span is kept.
            let made = try await session.call(RPC.request(id: "3", method: "tools/call", params: """
                {"name":"made_up_tool_xyz","arguments":{},"_meta":{"traceparent":"00-000000000000000c0000000000000001-00f067aa0ba902b7-01"}}
                """))
            #expect(made["result"]["isError"].bool == true)
            #expect(try await session.finish() == 0)
        }
        try await run("", environment: ["OTEL_TRACES_SAMPLER": "always_off"])
        var requests = try await receiver.wait { OTLP.sum(OTLP.lastMetrics($0.map { $0["body"] }), "tollgate.decisions") == 3 }
        expectAccepted(requests)
        #expect(OTLP.spans(requests.map { $0["body"] }).isEmpty)
        let labels = (OTLP.lastMetrics(requests.map { $0["body"] }).first { $0["name"].string == "tollgate.decisions" }?["sum"]["dataPoints"].array ?? [])
            .compactMap { OTLP.attributes($0)["gen_ai.tool.name"]?.string }
        #expect(Set(labels) == ["echo", "_unknown"], "\(labels)")

        let before = requests.count
        // traceidratio ignores the parent's flag: 0x…01 is under half of 2^64, 0xff…ff is not.
        try await run(#", "sampler": "traceidratio", "samplerRatio": 0.5"#)
        requests = try await receiver.wait { Array($0.dropFirst(before)).contains { $0["body"]["resourceMetrics"].exists } }
        let spans = OTLP.spans(requests.dropFirst(before).map { $0["body"] })
        #expect(Set(spans.compactMap { $0["traceId"].string }).contains("000000000000000a0000000000000001"), "\(spans)")
        #expect(!spans.contains { $0["traceId"].string == "000000000000000bffffffffffffffff" }, "\(spans)")
        let unknown = try #require(spans.first { OTLP.attributes($0)["jsonrpc.request.id"]?.string == "3" }, "\(spans)")
        #expect(unknown["name"].string == "tools/call _unknown" && OTLP.attributes(unknown)["tollgate.tool.requested"]?.string == "made_up_tool_xyz")
        #expect(!requests.contains { $0["body"]["resourceMetrics"].exists && $0["body"].description.contains("made_up_tool_xyz") })
    }

    @Test("OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf is refused at start; the headers variable never reaches the server")
    func configurationAtStart() async throws {
        let directory = try TemporaryDirectory("telemetry-start")
        let refused = try PolicySession("telemetry-refused", manifest: #"{"version": 1, "tools": {"echo": {}}}"#,
                                        environment: ["OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"])
        #expect(try await refused.gate.waitForExit() == 1)
        #expect(refused.gate.stderrText.contains("OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf: Tollgate exports OTLP over HTTP with JSON only"), "\(refused.gate.stderrText)")

        let file = directory.path("otlp.jsonl")
        let session = try PolicySession("telemetry-secret", manifest: #"{"version": 1, "policy": {"default": "allow"}, "telemetry": {"file": "\#(file)"}}"#,
                                        environment: ["OTEL_EXPORTER_OTLP_HEADERS": "authorization=Bearer%20s3cret"])
        let answer = try await session.call(RPC.toolCall(id: "1", name: "env"))
        let environment = try JSON(parsing: try #require(resultText(answer), "\(answer)"))
        #expect(environment["FIXTURE_QUIET"].string == "1" && !environment["OTEL_EXPORTER_OTLP_HEADERS"].exists, "\(environment)")
        #expect(try await session.finish() == 0)
        let check = try await Subprocess.run([try await PythonEnvironment.python(), Repository.fixtures + "/otlp_receiver.py", "--check", file], timeout: .seconds(60))
        #expect(check.status == 0 && check.stdoutText.hasPrefix("OK "), "\(check.stdoutText)\(check.stderr)")
    }

    @Test("checkpoints catch a cut tail; verify without them says what it cannot prove; with the key, an edited checkpoint is refused; the collector gets them as log records")
    func checkpoints() async throws {
        let directory = try TemporaryDirectory("telemetry-checkpoints")
        let receiver = try await OTLPReceiver(in: directory)
        let audit = directory.path("audit.log")
        let checkpoints = directory.path("checkpoints.jsonl")
        let key = ["TOLLGATE_AUDIT_KEY": "0123456789abcdef0123456789abcdef"]
        let session = try PolicySession("telemetry-checkpoints", manifest: """
            {"version": 1, "tools": {"echo": {}}, "audit": {"path": "\(audit)", "checkpointFile": "\(checkpoints)", "checkpointSeconds": 1},
             "telemetry": {"endpoint": "\(receiver.endpoint)"}}
            """, environment: key)
        for id in 1...3 { _ = try await session.call(RPC.toolCall(id: "\(id)", name: "echo", arguments: #"{"text":"x"}"#)) }
        #expect(try await session.finish() == 0)
        let lines = fileLines(audit)
        let last = try JSON(parsing: try #require(lines.last))
        let written = fileLines(checkpoints).compactMap { try? JSON(parsing: $0) }
        // The checkpoint at exit names the last record (the server's exit).
        #expect(written.last?["seq"].int == last["seq"].int && written.last?["hash"].string == last["hash"].string && written.last?["mac"].string != nil,
                "\(written) vs \(last)")

        let whole = try await runTollgate(["audit", "verify", "--checkpoints", checkpoints, audit], environment: key)
        #expect(whole.status == 0 && whole.stdoutText.contains("proves no record up to it was removed"), "\(whole.stdoutText)\(whole.stderr)")
        let cut = directory.path("cut.log")
        try Data(lines.dropLast(2).flatMap { $0 + [0x0A] }).write(to: URL(fileURLWithPath: cut))
        let alone = try await runTollgate(["audit", "verify", cut], environment: key)
        #expect(alone.status == 0 && alone.stdoutText.contains("records cut from the end of the log cannot be told"), "\(alone.stdoutText)")
        let caught = try await runTollgate(["audit", "verify", "--checkpoints", checkpoints, cut], environment: key)
        #expect(caught.status == 1 && caught.stderr.contains("2 records were cut from its end"), "\(caught.stdoutText)\(caught.stderr)")

        var edited = try #require(String(data: Data(fileLines(checkpoints).last ?? []), encoding: .utf8))
        edited = edited.replacingOccurrences(of: "\"seq\":\(last["seq"].int ?? 0)", with: "\"seq\":\((last["seq"].int ?? 0) - 2)")
        let forged = directory.path("forged.jsonl")
        try (edited + "\n").write(toFile: forged, atomically: true, encoding: .utf8)
        let refused = try await runTollgate(["audit", "verify", "--checkpoints", forged, cut], environment: key)
        #expect(refused.status == 1 && refused.stderr.contains("MAC does not match"), "\(refused.stderr)")

        let records = OTLP.logRecords(try await receiver.wait { !OTLP.logRecords($0.map { $0["body"] }).isEmpty }.map { $0["body"] })
        let attributes = OTLP.attributes(try #require(records.last))
        #expect(attributes["tollgate.audit.hash"]?.string == last["hash"].string && attributes["tollgate.audit.seq"]?.string == last["seq"].int.map(String.init))
        #expect(attributes["tollgate.audit.mac"]?.string == written.last?["mac"].string)
    }
}
