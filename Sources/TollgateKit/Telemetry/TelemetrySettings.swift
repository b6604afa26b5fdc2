/// The manifest's `telemetry` section: each setting given overrides the `OTEL_*` variable of
/// the same meaning (see ``TelemetryConfiguration``).
public struct TelemetrySettings: Sendable, Equatable {
    /// `enabled` (false: nothing is exported, like `OTEL_SDK_DISABLED=true`).
    public var enabled: Bool?
    /// `endpoint`: the collector's base URL (`/v1/traces` and the like are appended).
    public var endpoint: String?
    /// `tracesEndpoint`, `metricsEndpoint`, `logsEndpoint`: whole URLs, each for one signal.
    public var tracesEndpoint: OTLPEndpoint?
    public var metricsEndpoint: OTLPEndpoint?
    public var logsEndpoint: OTLPEndpoint?
    /// `headers` (added to those of `OTEL_EXPORTER_OTLP_HEADERS`, replacing one of the same name).
    public var headers: [HTTPHeader] = []
    /// `timeoutSeconds`.
    public var timeoutMilliseconds: Int64?
    /// `serviceName`.
    public var serviceName: String?
    /// `resourceAttributes`.
    public var resourceAttributes: [OTLPAttribute] = []
    /// `metricIntervalSeconds`.
    public var metricIntervalMilliseconds: Int64?
    /// `spanDelaySeconds`.
    public var spanDelayMilliseconds: Int64?
    /// `sampler` and `samplerRatio`.
    public var sampler: Sampler?
    /// `file`: OTLP/JSON lines are appended there (absolute).
    public var file: String?

    public init() {}

    /// `configuration` with these settings over it.
    public func applied(to configuration: TelemetryConfiguration) -> TelemetryConfiguration {
        var configuration = configuration
        if let enabled { configuration.disabled = !enabled }
        if let endpoint {
            // Validated when the manifest was read.
            configuration.tracesEndpoint = try? OTLPEndpoint(base: endpoint, signalPath: "v1/traces")
            configuration.metricsEndpoint = try? OTLPEndpoint(base: endpoint, signalPath: "v1/metrics")
            configuration.logsEndpoint = try? OTLPEndpoint(base: endpoint, signalPath: "v1/logs")
        }
        configuration.tracesEndpoint = tracesEndpoint ?? configuration.tracesEndpoint
        configuration.metricsEndpoint = metricsEndpoint ?? configuration.metricsEndpoint
        configuration.logsEndpoint = logsEndpoint ?? configuration.logsEndpoint
        for header in headers {
            configuration.headers.removeAll { KeyValueList.sameIgnoringASCIICase($0.name, header.name) }
            configuration.headers.append(header)
        }
        configuration.timeoutMilliseconds = timeoutMilliseconds ?? configuration.timeoutMilliseconds
        configuration.serviceName = serviceName ?? configuration.serviceName
        configuration.resourceAttributes += resourceAttributes
        configuration.metricIntervalMilliseconds = metricIntervalMilliseconds ?? configuration.metricIntervalMilliseconds
        configuration.spanDelayMilliseconds = spanDelayMilliseconds ?? configuration.spanDelayMilliseconds
        configuration.sampler = sampler ?? configuration.sampler
        configuration.file = file ?? configuration.file
        return configuration
    }
}
