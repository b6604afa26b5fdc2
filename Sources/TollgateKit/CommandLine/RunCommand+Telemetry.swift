/// `tollgate run` with telemetry: the `OTEL_*` variables and the manifest's `telemetry` section
/// read before anything starts, then the exporter and the audit checkpoints started; the
/// effects owner hands telemetry its events (``CallEffects``).
extension RunCommand {
    /// The telemetry configuration of this run; throws when a variable or setting cannot be used.
    func telemetryConfiguration(_ manifest: Manifest) throws(CommandFailure) -> TelemetryConfiguration {
        let environment = FileIO.environment()
        var configuration: TelemetryConfiguration
        do throws(TelemetryProblems) {
            configuration = try TelemetryConfiguration { name in
                // The header variables hold secrets, taken out of the environment at start-up.
                TelemetryConfiguration.secretVariables.contains(name) ? SecretEnvironment.value(of: name) : environment[name]
            }
        } catch {
            throw CommandFailure.failed("telemetry: \(error); Tollgate will not run with telemetry settings it cannot use")
        }
        if let settings = manifest.telemetry { configuration = settings.applied(to: configuration) }
        return configuration
    }

    /// Starts the exporter (and the checkpoints of `audit`'s log) when something is to be
    /// exported or checkpointed; nil when there is nothing to do.
    func startTelemetry(_ configuration: TelemetryConfiguration, manifest: Manifest, audit: AuditTrail?, server: String?,
                        namespace: ToolNamespace? = nil) -> Telemetry? {
        let checkpoints = audit.flatMap { trail in
            manifest.audit.map { CheckpointSettings(log: trail.log, file: $0.checkpointFile, intervalMilliseconds: Int64($0.checkpointSeconds) * 1000) }
        }
        guard configuration.isActive || checkpoints?.file != nil else { return nil }
        return Telemetry(configuration: configuration, serverName: server, namespace: namespace, checkpoints: checkpoints)
    }

    /// What the effects report to `telemetry` (nil when it exports nothing: checkpoints only).
    static func gateTelemetry(_ telemetry: Telemetry?, configuration: TelemetryConfiguration) -> GateTelemetry? {
        guard let telemetry, telemetry.isExporting else { return nil }
        return GateTelemetry(sink: telemetry, budgetIntervalMilliseconds: configuration.metricIntervalMilliseconds)
    }
}
