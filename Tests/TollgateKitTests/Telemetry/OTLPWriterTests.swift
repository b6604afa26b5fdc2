import Testing
@testable import TollgateKit

@Suite("Telemetry: OTLP/JSON encoding")
struct OTLPWriterTests {
    func parse(_ writer: OTLPWriter) throws -> JSONValue {
        try JSONValue.parse(writer.json.bytes)
    }

    @Test("spans: hex ids, 64-bit times as strings, kind and status as integers, typed attribute values")
    func spans() throws {
        var span = SpanRecord(traceHigh: 0x0102_0304_0506_0708, traceLow: 0x090a_0b0c_0d0e_0f10, spanID: 0xfedc_ba98_7654_3210, parentSpanID: 1,
                              name: "tools/call echo", kind: .server, start: 1_700_000_000_000_000_001, end: 1_700_000_000_000_000_002,
                              attributes: [OTLPAttribute("s", "x\"y"), OTLPAttribute("i", .int(-5)), OTLPAttribute("d", .double(0.25)),
                                           OTLPAttribute("b", .bool(true)), OTLPAttribute("names", .strings(["a"])), OTLPAttribute("left", .doubles([1.5]))])
        span.status = .error
        span.statusMessage = "denied"
        var writer = OTLPWriter()
        writer.traces([span], resource: [OTLPAttribute("service.name", "tollgate")], scope: TelemetryScope())
        let request = try parse(writer)
        let resourceSpans = request["resourceSpans"]?.arrayValue?.first
        #expect(resourceSpans?["resource"]?["attributes"]?.arrayValue?.first?["value"]?["stringValue"] == .string("tollgate"))
        let scopeSpans = resourceSpans?["scopeSpans"]?.arrayValue?.first
        #expect(scopeSpans?["scope"]?["name"] == .string("tollgate"))
        let encoded = try #require(scopeSpans?["spans"]?.arrayValue?.first)
        #expect(encoded["traceId"] == .string("0102030405060708090a0b0c0d0e0f10") && encoded["spanId"] == .string("fedcba9876543210"))
        #expect(encoded["parentSpanId"] == .string("0000000000000001"))
        #expect(encoded["startTimeUnixNano"] == .string("1700000000000000001") && encoded["endTimeUnixNano"] == .string("1700000000000000002"))
        #expect(encoded["kind"] == .number("2") && encoded["status"]?["code"] == .number("2") && encoded["status"]?["message"] == .string("denied"))
        let values = encoded["attributes"]?.arrayValue?.map { $0["value"] ?? .null } ?? []
        #expect(values.count == 6)
        #expect(values[0]["stringValue"] == .string("x\"y") && values[1]["intValue"] == .string("-5") && values[2]["doubleValue"] == .number("0.25"))
        #expect(values[3]["boolValue"] == .bool(true) && values[4]["arrayValue"]?["values"]?.arrayValue?.first?["stringValue"] == .string("a"))
        #expect(values[5]["arrayValue"]?["values"]?.arrayValue?.first?["doubleValue"] == .number("1.5"))
    }

    @Test("metrics: cumulative histogram with the convention's bounds, counts as strings; sums; drops")
    func metrics() throws {
        var metrics = MetricsAggregator(start: 5)
        let key = MetricsAggregator.DurationKey(method: "tools/call", tool: "echo", decision: .allowed, errorType: nil, statusCode: nil)
        metrics.recordDuration(key, seconds: 0.015)
        metrics.recordDuration(key, seconds: 400)
        metrics.countDecision(MetricsAggregator.DecisionKey(tool: "echo", decision: .allowed, code: nil))
        metrics.countDrops(3, signal: "traces", reason: .exportFailed)
        var writer = OTLPWriter()
        writer.metrics(metrics, now: 9, resource: [], scope: TelemetryScope())
        let list = try #require(try parse(writer)["resourceMetrics"]?.arrayValue?.first?["scopeMetrics"]?.arrayValue?.first?["metrics"]?.arrayValue)
        let duration = try #require(list.first { $0["name"] == .string("mcp.server.operation.duration") })
        #expect(duration["unit"] == .string("s") && duration["histogram"]?["aggregationTemporality"] == .number("2"))
        let point = try #require(duration["histogram"]?["dataPoints"]?.arrayValue?.first)
        #expect(point["count"] == .string("2") && point["startTimeUnixNano"] == .string("5") && point["timeUnixNano"] == .string("9"))
        #expect(point["explicitBounds"]?.arrayValue?.count == 14 && point["bucketCounts"]?.arrayValue?.count == 15)
        #expect(point["bucketCounts"]?.arrayValue?[1] == .string("1") && point["bucketCounts"]?.arrayValue?[14] == .string("1"))
        #expect(point["min"] == .number("0.015") && point["max"] == .number("400"))
        let decisions = try #require(list.first { $0["name"] == .string("tollgate.decisions") })
        #expect(decisions["sum"]?["isMonotonic"] == .bool(true) && decisions["sum"]?["dataPoints"]?.arrayValue?.first?["asInt"] == .string("1"))
        let dropped = try #require(list.first { $0["name"] == .string("tollgate.telemetry.dropped") })
        #expect(dropped["sum"]?["dataPoints"]?.arrayValue?.first?["asInt"] == .string("3"))
    }

    @Test("a checkpoint as a log record: severity as an integer, seq as a string-encoded int")
    func logs() throws {
        var writer = OTLPWriter()
        let checkpoint = AuditCheckpoint.taken(seq: 42, hash: "ab", run: "r", key: [1, 2, 3])
        writer.checkpoints([(checkpoint, 77)], log: "/var/log/a.log", resource: [], scope: TelemetryScope())
        let record = try #require(try parse(writer)["resourceLogs"]?.arrayValue?.first?["scopeLogs"]?.arrayValue?.first?["logRecords"]?.arrayValue?.first)
        #expect(record["severityNumber"] == .number("9") && record["timeUnixNano"] == .string("77"))
        let attributes = record["attributes"]?.arrayValue ?? []
        #expect(attributes.contains { $0["key"] == .string("tollgate.audit.seq") && $0["value"]?["intValue"] == .string("42") })
        #expect(attributes.contains { $0["key"] == .string("tollgate.audit.mac") && $0["value"]?["stringValue"] == checkpoint.mac.map(JSONValue.string) })
    }

    @Test("checkpoints: the MAC covers every field; a checkpoint line reads back")
    func checkpoints() throws {
        let key: [UInt8] = Array("k".utf8)
        let checkpoint = AuditCheckpoint.taken(seq: 9, hash: "h", run: "r", key: key)
        #expect(checkpoint.isAuthentic(key: key) && !checkpoint.isAuthentic(key: [0]))
        var edited = checkpoint
        edited.seq = 8
        #expect(!edited.isAuthentic(key: key))
        #expect(AuditCheckpoint(line: Array(checkpoint.line.dropLast())) == checkpoint)
        #expect(AuditCheckpoint(line: Array(#"{"event":"decision","seq":1}"#.utf8)) == nil)
        #expect(AuditCheckpoint.taken(seq: 1, hash: "h", run: "r", key: nil).mac == nil)
    }
}
