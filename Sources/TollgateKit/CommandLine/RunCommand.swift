/// `tollgate run`: relays one server behind the gate.
struct RunCommand {
    let options: RunOptions

    func run() throws(CommandLineError) -> Int32 {
        guard options.manifestPath == nil else {
            throw CommandLineError("manifests are not supported yet")
        }
        var relayOptions = StdioRelay.Options()
        relayOptions.maxMessageBytes = options.maxMessageBytes
        let server = ChildProcess.Configuration(arguments: options.serverCommand, limits: options.limits)
        let relay = StdioRelay(server: server, options: relayOptions)
        do throws(SpawnError) {
            return try relay.run(session: RelaySession(gate: PassThroughGate())).shellCode
        } catch {
            throw CommandLineError(error.description, exitCode: error.exitCode)
        }
    }
}
