/// `tollgate run`: relays one server behind the gate.
struct RunCommand {
    let options: RunOptions

    func run() throws(CommandLineError) -> Int32 {
        var server = ChildProcess.Configuration(arguments: options.serverCommand, limits: options.limits)
        var gate: any Gate = PassThroughGate()
        if let path = options.manifestPath {
            let manifest = try loadManifest(path)
            if options.serverCommand.isEmpty {
                guard let entry = manifest.defaultServer else {
                    throw CommandLineError(manifest.servers.isEmpty
                        ? "\(path): names no server; give the server command after '--' or add one under \"servers\""
                        : "\(path): names \(manifest.servers.count) servers; this version of Tollgate runs one: give its command after '--'")
                }
                server.arguments = entry.arguments
                server.workingDirectory = entry.workingDirectory
                if !entry.environment.isEmpty {
                    server.environment = FileIO.environment().merging(entry.environment) { _, new in new }
                }
            }
            gate = PolicyGate(manifest: manifest, workingDirectory: server.workingDirectory)
            if manifest.policy.mode == .monitor {
                Diagnostics.standardError.report("monitor mode: nothing is blocked; would-be denials are reported here")
            }
        }
        var relayOptions = StdioRelay.Options()
        relayOptions.maxMessageBytes = options.maxMessageBytes
        let relay = StdioRelay(server: server, options: relayOptions)
        do throws(SpawnError) {
            return try relay.run(session: RelaySession(gate: gate)).shellCode
        } catch {
            throw CommandLineError(error.description, exitCode: error.exitCode)
        }
    }
}
