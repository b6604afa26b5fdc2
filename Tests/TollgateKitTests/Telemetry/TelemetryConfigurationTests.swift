import Testing
@testable import TollgateKit

@Suite("Telemetry: configuration from OTEL_* and the manifest")
struct TelemetryConfigurationTests {
    func configuration(_ variables: [String: String]) throws(TelemetryProblems) -> TelemetryConfiguration {
        try TelemetryConfiguration { variables[$0] }
    }

    @Test("nothing set: nothing exported")
    func inactive() throws {
        let configuration = try configuration([:])
        #expect(!configuration.isActive && configuration.sampler == .standard && configuration.timeoutMilliseconds == 10_000)
    }

    @Test("the base endpoint gets /v1/<signal>; a signal's own endpoint is used as given")
    func endpoints() throws {
        let configuration = try configuration(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318/base",
                                               "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": "http://[::1]:9000/m"])
        #expect(configuration.tracesEndpoint?.url == "http://127.0.0.1:4318/base/v1/traces")
        #expect(configuration.logsEndpoint?.path == "/base/v1/logs")
        #expect(configuration.metricsEndpoint?.host == "::1" && configuration.metricsEndpoint?.port == 9000 && configuration.metricsEndpoint?.path == "/m")
        #expect(configuration.metricsEndpoint?.url == "http://[::1]:9000/m")
        #expect(configuration.isActive)
    }

    @Test("anything but http/json, https, bad numbers and samplers are refused, each named")
    func refusals() {
        do {
            _ = try configuration(["OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf", "OTEL_EXPORTER_OTLP_ENDPOINT": "https://collector:4318",
                                   "OTEL_EXPORTER_OTLP_TIMEOUT": "ten", "OTEL_TRACES_SAMPLER": "sometimes", "OTEL_TRACES_SAMPLER_ARG": "2"])
            Issue.record("accepted")
        } catch {
            let text = error.description
            #expect(text.contains("OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf: Tollgate exports OTLP over HTTP with JSON only"), "\(text)")
            #expect(text.contains("OTEL_EXPORTER_OTLP_ENDPOINT: https://collector:4318: Tollgate sends OTLP over plain HTTP only"), "\(text)")
            #expect(text.contains("OTEL_EXPORTER_OTLP_TIMEOUT=ten") && text.contains("OTEL_TRACES_SAMPLER=sometimes") && text.contains("OTEL_TRACES_SAMPLER_ARG=2"))
            #expect(error.problems.count == 5)
        }
    }

    @Test("headers: name=value pairs, percent-decoded; a value with a line break is refused and not echoed")
    func headers() throws {
        let configuration = try configuration(["OTEL_EXPORTER_OTLP_HEADERS": "api-key=se%20cret, x-team = a ,", "OTEL_EXPORTER_OTLP_TRACES_HEADERS": "API-KEY=other"])
        let expected = [try HTTPHeader(name: "x-team", value: "a"), try HTTPHeader(name: "API-KEY", value: "other")]
        #expect(configuration.headers == expected)
        do {
            _ = try self.configuration(["OTEL_EXPORTER_OTLP_HEADERS": "a=secret%0D%0AInjected: 1"])
            Issue.record("accepted")
        } catch {
            #expect(error.description.contains("control character") && !error.description.contains("secret"), "\(error)")
        }
        #expect(throws: TelemetryConfigurationError.self) { try HTTPHeader(name: "bad name", value: "x") }
    }

    @Test("service name, resource attributes, intervals, sampler, disabled")
    func others() throws {
        let configuration = try configuration(["OTEL_RESOURCE_ATTRIBUTES": "service.name=from-resource,deployment.environment=dev%2Ftest",
                                               "OTEL_METRIC_EXPORT_INTERVAL": "1500", "OTEL_BSP_SCHEDULE_DELAY": "250",
                                               "OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.1",
                                               "OTEL_SDK_DISABLED": "TRUE", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://localhost"])
        #expect(configuration.serviceName == "from-resource" && configuration.metricIntervalMilliseconds == 1500 && configuration.spanDelayMilliseconds == 250)
        #expect(configuration.sampler == .traceIDRatio(0.1) && configuration.disabled && !configuration.isActive)
        #expect(configuration.tracesEndpoint?.port == 80 && configuration.tracesEndpoint?.hostHeader == "localhost")
        let resource = configuration.resource(instance: "run")
        #expect(resource.contains(OTLPAttribute("deployment.environment", "dev/test")))
        #expect(resource.filter { $0.key.utf8.elementsEqual("service.name".utf8) } == [OTLPAttribute("service.name", "from-resource")])
        let named = try self.configuration(["OTEL_RESOURCE_ATTRIBUTES": "service.name=a", "OTEL_SERVICE_NAME": "b"])
        #expect(named.serviceName == "b")
    }

    @Test("the manifest's telemetry section overrides the variables")
    func manifestOverrides() throws {
        let manifest = try parseManifest("""
            {"version": 1, "telemetry": {"endpoint": "http://127.0.0.1:5000", "headers": {"x-key": "${KEY}"}, "sampler": "parentbased_traceidratio",
             "samplerRatio": 0.5, "timeoutSeconds": 2, "metricIntervalSeconds": 1, "spanDelaySeconds": 0.5, "serviceName": "gate",
             "resourceAttributes": {"team": "sec"}, "file": "otlp.jsonl", "enabled": true, "protocol": "http/json"}}
            """, file: "/tmp/m.json", environment: ["KEY": "k1"]).get()
        let settings = try #require(manifest.telemetry)
        let base = try configuration(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://10.0.0.1:4318", "OTEL_SERVICE_NAME": "env", "OTEL_SDK_DISABLED": "true"])
        let configuration = settings.applied(to: base)
        let header = try HTTPHeader(name: "x-key", value: "k1")
        #expect(configuration.tracesEndpoint?.url == "http://127.0.0.1:5000/v1/traces" && configuration.headers == [header])
        #expect(configuration.sampler == .parentBased(root: .traceIDRatio(0.5)) && configuration.timeoutMilliseconds == 2000)
        #expect(configuration.metricIntervalMilliseconds == 1000 && configuration.spanDelayMilliseconds == 500 && configuration.serviceName == "gate")
        #expect(configuration.file == "/tmp/otlp.jsonl" && !configuration.disabled && configuration.isActive)
    }

    @Test("a bad telemetry section fails with file:line and the key; propagate is refused as not supported")
    func manifestErrors() {
        let issues = manifestIssues("""
            {"version": 1,
             "telemetry": {
               "endpoint": "https://collector",
               "protocol": "http/protobuf",
               "samplerRatio": 0.5,
               "propagate": true,
               "headers": {"bad name": "x"}}}
            """)
        let shown = issues.map(\.description)
        #expect(issues.contains { $0.line == 3 && $0.path == "telemetry.endpoint" && $0.message.contains("plain HTTP only") }, "\(shown)")
        #expect(issues.contains { $0.line == 4 && $0.path == "telemetry.protocol" }, "\(shown)")
        #expect(issues.contains { $0.path == "telemetry.samplerRatio" && $0.message.contains("needs \"sampler\"") }, "\(shown)")
        #expect(issues.contains { $0.line == 6 && $0.path == "telemetry.propagate" && $0.message.contains("not supported yet") }, "\(shown)")
        #expect(issues.contains { $0.path.contains("telemetry.headers") && $0.path.contains("bad name") && $0.message.contains("HTTP token") }, "\(shown)")
        #expect(manifestIssues(#"{"version": 1, "audit": {"path": "a.log", "checkpointSeconds": 0}}"#).contains { $0.path == "audit.checkpointSeconds" })
    }
}
