/// Everything telemetry needs to know, resolved from the standard `OTEL_*` variables and then
/// the manifest's `telemetry` section (which overrides them).
public struct TelemetryConfiguration: Sendable, Equatable {
    /// Where spans go (nil: not sent over HTTP).
    public var tracesEndpoint: OTLPEndpoint?
    /// Where metrics go.
    public var metricsEndpoint: OTLPEndpoint?
    /// Where log records (audit checkpoints) go.
    public var logsEndpoint: OTLPEndpoint?
    /// Headers sent with every export (secrets: never passed to a child).
    public var headers: [HTTPHeader] = []
    /// How long one export may take (`OTEL_EXPORTER_OTLP_TIMEOUT`, default 10 s).
    public var timeoutMilliseconds: Int64 = 10_000
    /// `service.name` (`OTEL_SERVICE_NAME`, default `tollgate`).
    public var serviceName = "tollgate"
    /// Further resource attributes (`OTEL_RESOURCE_ATTRIBUTES`), in order; a later one of the same key wins.
    public var resourceAttributes: [OTLPAttribute] = []
    /// How often metrics are exported (`OTEL_METRIC_EXPORT_INTERVAL`, default 60 s).
    public var metricIntervalMilliseconds: Int64 = 60_000
    /// How long a finished span may wait to be exported with others (`OTEL_BSP_SCHEDULE_DELAY`, default 5 s).
    public var spanDelayMilliseconds: Int64 = 5_000
    /// Which traces are kept (`OTEL_TRACES_SAMPLER`, `OTEL_TRACES_SAMPLER_ARG`).
    public var sampler = Sampler.standard
    /// Telemetry is off whatever else is set (`OTEL_SDK_DISABLED=true`, `"enabled": false`).
    public var disabled = false
    /// A file every export is also appended to, one OTLP/JSON request per line (what the
    /// Collector's `otlpjsonfile` receiver reads).
    public var file: String?
    /// How many events may wait between the call path and the exporter before more are dropped.
    public var queueCapacity = 16_384
    /// The most finished spans waiting for export before more are dropped (`OTEL_BSP_MAX_QUEUE_SIZE`).
    public var maxSpansWaiting = 8_192
    /// The most spans in one export (`OTEL_BSP_MAX_EXPORT_BATCH_SIZE`).
    public var maxSpansPerExport = 512

    public init() {}

    /// Whether anything is exported: some endpoint or a file is set, and telemetry is not disabled.
    public var isActive: Bool {
        !disabled && (tracesEndpoint != nil || metricsEndpoint != nil || logsEndpoint != nil || file != nil)
    }

    /// The variables whose values are secrets (headers carry API keys): withheld from every child.
    public static let secretVariables = ["OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
                                         "OTEL_EXPORTER_OTLP_METRICS_HEADERS", "OTEL_EXPORTER_OTLP_LOGS_HEADERS"]

    /// The resource: `service.name`, Tollgate's version and run, then the configured attributes.
    func resource(instance: String) -> [OTLPAttribute] {
        var attributes = [OTLPAttribute("service.name", serviceName), OTLPAttribute("service.version", Usage.version),
                          OTLPAttribute("service.instance.id", instance), OTLPAttribute("telemetry.sdk.name", "tollgate"),
                          OTLPAttribute("telemetry.sdk.language", "swift"), OTLPAttribute("telemetry.sdk.version", Usage.version)]
        for attribute in resourceAttributes {
            if attribute.key.utf8.elementsEqual("service.name".utf8) { continue }
            attributes.removeAll { $0.key.utf8.elementsEqual(attribute.key.utf8) }
            attributes.append(attribute)
        }
        return attributes
    }
}
