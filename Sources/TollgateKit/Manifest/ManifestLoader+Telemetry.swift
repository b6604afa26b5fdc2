/// The `telemetry` section (see ``TelemetrySettings``) and the audit checkpoints
/// (`audit.checkpointSeconds`, `audit.checkpointFile`).
extension ManifestLoader {
    static let telemetryKeys = ["enabled", "endpoint", "tracesEndpoint", "metricsEndpoint", "logsEndpoint", "headers", "timeoutSeconds", "protocol",
                                "serviceName", "resourceAttributes", "metricIntervalSeconds", "spanDelaySeconds", "sampler", "samplerRatio",
                                "file", "propagate"]

    static func decodeTelemetry(_ node: SourceValue, directory: String, decoder: inout ManifestDecoder) -> TelemetrySettings {
        var settings = TelemetrySettings()
        var samplerName: String?
        var ratio = 1.0
        for member in decoder.members(node, path: "telemetry", allowed: telemetryKeys) ?? [] {
            let path = "telemetry.\(member.key)"
            let value = member.value
            switch member.key {
            case "enabled":
                settings.enabled = decoder.bool(value, path: path)
            case "endpoint":
                guard let url = decoder.expandedString(value, path: path) else { continue }
                do throws(TelemetryConfigurationError) {
                    _ = try OTLPEndpoint(base: url, signalPath: "v1/traces")
                    settings.endpoint = url
                } catch {
                    decoder.report(error.message, at: value, path: path)
                }
            case "tracesEndpoint", "metricsEndpoint", "logsEndpoint":
                guard let url = decoder.expandedString(value, path: path) else { continue }
                do throws(TelemetryConfigurationError) {
                    let endpoint = try OTLPEndpoint(url: url)
                    switch member.key {
                    case "tracesEndpoint": settings.tracesEndpoint = endpoint
                    case "metricsEndpoint": settings.metricsEndpoint = endpoint
                    default: settings.logsEndpoint = endpoint
                    }
                } catch {
                    decoder.report(error.message, at: value, path: path)
                }
            case "headers":
                for (name, text) in stringMap(value, path: path, decoder: &decoder) {
                    do throws(TelemetryConfigurationError) {
                        settings.headers.append(try HTTPHeader(name: name, value: text))
                    } catch {
                        decoder.report(error.message, at: value, path: ManifestDecoder.join(path, name))
                    }
                }
            case "resourceAttributes":
                settings.resourceAttributes = stringMap(value, path: path, decoder: &decoder).map { OTLPAttribute($0.name, $0.value) }
            case "timeoutSeconds":
                settings.timeoutMilliseconds = timeoutMilliseconds(value, path: path, decoder: &decoder)
            case "metricIntervalSeconds":
                settings.metricIntervalMilliseconds = timeoutMilliseconds(value, path: path, decoder: &decoder)
            case "spanDelaySeconds":
                settings.spanDelayMilliseconds = timeoutMilliseconds(value, path: path, decoder: &decoder)
            case "protocol":
                _ = decoder.choice(value, path: path, among: [TelemetryConfiguration.supportedProtocol])
            case "serviceName":
                settings.serviceName = decoder.expandedString(value, path: path)
            case "sampler":
                samplerName = decoder.choice(value, path: path, among: Sampler.names)
            case "samplerRatio":
                guard case .number(let text) = value.kind, let number = Double(text), number >= 0, number <= 1 else {
                    decoder.report("expected a ratio from 0 to 1, found \(ManifestDecoder.show(value))", at: value, path: path)
                    continue
                }
                ratio = number
            case "file":
                settings.file = decoder.expandedFile(value, path: path, directory: directory)
            default:
                decoder.report("not supported yet: Tollgate forwards every call as the client sent it, so a traceparent the client "
                               + "sent reaches the server unchanged; remove the key", at: value, path: path)
            }
        }
        if let samplerName { settings.sampler = Sampler(name: samplerName, ratio: ratio) }
        let ratioSamplers = ["traceidratio", "parentbased_traceidratio"]
        if node["samplerRatio"] != nil, !(samplerName.map { name in ratioSamplers.contains { $0.utf8.elementsEqual(name.utf8) } } ?? false) {
            decoder.report("samplerRatio needs \"sampler\": \"traceidratio\" or \"parentbased_traceidratio\"", at: node["samplerRatio"], path: "telemetry.samplerRatio")
        }
        return settings
    }

    /// An object of strings (variables expanded), in order.
    private static func stringMap(_ node: SourceValue, path: String, decoder: inout ManifestDecoder) -> [(name: String, value: String)] {
        var pairs: [(name: String, value: String)] = []
        for member in decoder.namedMembers(node, path: path) {
            guard let text = decoder.expandedString(member.value, path: ManifestDecoder.join(path, member.key), nonEmpty: false) else { continue }
            pairs.append((member.key, text))
        }
        return pairs
    }
}
