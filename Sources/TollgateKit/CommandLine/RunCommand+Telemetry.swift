/// `tollgate run` with telemetry: the `OTEL_*` variables and the manifest's `telemetry` section
/// read before anything starts, then the exporter and the audit checkpoints started.
extension RunCommand {
    /// The telemetry configuration of this run; throws when a variable or setting cannot be used.
    func telemetryConfiguration(_ manifest: Manifest) throws(CommandLineError) -> TelemetryConfiguration {
        let environment = FileIO.environment()
        var configuration: TelemetryConfiguration
        do throws(TelemetryProblems) {
            configuration = try TelemetryConfiguration { name in
                // The header variables hold secrets, taken out of the environment at start-up.
                TelemetryConfiguration.secretVariables.contains(name) ? SecretEnvironment.value(of: name) : environment[name]
            }
        } catch {
            throw CommandLineError("telemetry: \(error); Tollgate will not run with telemetry settings it cannot use",
                                   exitCode: CommandLineError.ExitCode.failure.rawValue)
        }
        if let settings = manifest.telemetry { configuration = settings.applied(to: configuration) }
        return configuration
    }

    /// Starts the exporter (and the audit log's checkpoints) when something is to be exported or
    /// checkpointed, and attaches it to `gate`; nil when there is nothing to do.
    func startTelemetry(_ configuration: TelemetryConfiguration, manifest: Manifest, gate: inout PolicyGate, server: String?,
                        namespace: ToolNamespace? = nil) -> Telemetry? {
        let checkpoints = gate.audit.flatMap { trail in
            manifest.audit.map { CheckpointSettings(log: trail.log, file: $0.checkpointFile, intervalMilliseconds: Int64($0.checkpointSeconds) * 1000) }
        }
        guard configuration.isActive || checkpoints?.file != nil else { return nil }
        let telemetry = Telemetry(configuration: configuration, serverName: server, namespace: namespace, checkpoints: checkpoints)
        if configuration.isActive {
            gate.telemetry = GateTelemetry(sink: telemetry, manifest: manifest, budgetIntervalMilliseconds: configuration.metricIntervalMilliseconds)
        }
        return telemetry
    }
}
