/// The standard OpenTelemetry variables (`OTEL_*`), as the SDKs read them.
extension TelemetryConfiguration {
    /// The signals: their part of the variables' names, their path under `OTEL_EXPORTER_OTLP_ENDPOINT`, their endpoint.
    static var signals: [(name: String, path: String, endpoint: WritableKeyPath<TelemetryConfiguration, OTLPEndpoint?>)] {
        [("TRACES", "v1/traces", \.tracesEndpoint), ("METRICS", "v1/metrics", \.metricsEndpoint), ("LOGS", "v1/logs", \.logsEndpoint)]
    }

    /// The protocol Tollgate speaks.
    public static let supportedProtocol = "http/json"

    /// Reads the variables from `environment` (a variable's value, or nil when unset; the secret
    /// header variables must be read from where they were withheld). Throws every problem found,
    /// one sentence each.
    public init(environment: (String) -> String?) throws(TelemetryProblems) {
        self.init()
        var problems: [String] = []
        func value(_ name: String) -> String? {
            guard let text = environment(name), !text.utf8.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) else { return nil }
            return text
        }
        func milliseconds(_ name: String, range: ClosedRange<Int64>) -> Int64? {
            guard let text = value(name) else { return nil }
            guard let number = Int64(text), range.contains(number) else {
                problems.append("\(name)=\(text): expected milliseconds from \(range.lowerBound) to \(range.upperBound)")
                return nil
            }
            return number
        }
        if let text = value("OTEL_SDK_DISABLED") { disabled = KeyValueList.sameIgnoringASCIICase(text, "true") }
        for name in ["OTEL_EXPORTER_OTLP_PROTOCOL"] + Self.signals.map({ "OTEL_EXPORTER_OTLP_\($0.name)_PROTOCOL" }) {
            if let text = value(name), !text.utf8.elementsEqual(Self.supportedProtocol.utf8) {
                problems.append("\(name)=\(text): Tollgate exports OTLP over HTTP with JSON only; set \(name)=\(Self.supportedProtocol) (or leave it unset)")
            }
        }
        let base = value("OTEL_EXPORTER_OTLP_ENDPOINT")
        for signal in Self.signals {
            let specific = "OTEL_EXPORTER_OTLP_\(signal.name)_ENDPOINT"
            do throws(TelemetryConfigurationError) {
                if let url = value(specific) {
                    self[keyPath: signal.endpoint] = try OTLPEndpoint(url: url)
                } else if let base {
                    self[keyPath: signal.endpoint] = try OTLPEndpoint(base: base, signalPath: signal.path)
                }
            } catch {
                let problem = "\(value(specific) != nil ? specific : "OTEL_EXPORTER_OTLP_ENDPOINT"): \(error.message)"
                // A bad base endpoint is said once, not once per signal.
                if !problems.contains(where: { $0.utf8.elementsEqual(problem.utf8) }) { problems.append(problem) }
            }
        }
        for name in Self.secretVariables {
            guard let text = value(name) else { continue }
            do throws(TelemetryConfigurationError) {
                // The signal's own headers apply to every signal here: Tollgate keeps one connection setting.
                for header in try HTTPHeader.list(text) {
                    headers.removeAll { KeyValueList.sameIgnoringASCIICase($0.name, header.name) }
                    headers.append(header)
                }
            } catch {
                problems.append("\(name): \(error.message)")  // the value is a secret: not repeated
            }
        }
        if let timeout = milliseconds("OTEL_EXPORTER_OTLP_TIMEOUT", range: 1...600_000) { timeoutMilliseconds = timeout }
        if let interval = milliseconds("OTEL_METRIC_EXPORT_INTERVAL", range: 100...86_400_000) { metricIntervalMilliseconds = interval }
        if let delay = milliseconds("OTEL_BSP_SCHEDULE_DELAY", range: 1...3_600_000) { spanDelayMilliseconds = delay }
        if let text = value("OTEL_RESOURCE_ATTRIBUTES") {
            do throws(TelemetryConfigurationError) {
                for pair in try KeyValueList.parse(text) {
                    resourceAttributes.append(OTLPAttribute(pair.name, pair.value))
                    if pair.name.utf8.elementsEqual("service.name".utf8) { serviceName = pair.value }
                }
            } catch {
                problems.append("OTEL_RESOURCE_ATTRIBUTES=\(text): \(error.message)")
            }
        }
        if let name = value("OTEL_SERVICE_NAME") { serviceName = name }
        var ratio = 1.0
        if let text = value("OTEL_TRACES_SAMPLER_ARG") {
            if let number = Double(text), number >= 0, number <= 1 {
                ratio = number
            } else {
                problems.append("OTEL_TRACES_SAMPLER_ARG=\(text): expected a ratio from 0 to 1")
            }
        }
        if let name = value("OTEL_TRACES_SAMPLER") {
            if let chosen = Sampler(name: name, ratio: ratio) {
                sampler = chosen
            } else {
                problems.append("OTEL_TRACES_SAMPLER=\(name): expected one of \(Sampler.names.joined(separator: ", "))")
            }
        }
        guard problems.isEmpty else { throw TelemetryProblems(problems) }
    }
}
