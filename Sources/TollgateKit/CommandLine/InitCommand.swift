/// `tollgate init -- COMMAND...`: starts the server, lists its tools (every page) and prints a
/// starter manifest on stdout as strict JSON.
struct InitCommand {
    let serverCommand: [String]

    func run() throws(CommandLineError) -> Int32 {
        let connection: ServerConnection
        do throws(SpawnError) {
            connection = try ServerConnection(ChildProcess.Configuration(arguments: serverCommand))
        } catch {
            throw CommandLineError(error.description, exitCode: error.exitCode)
        }
        defer { connection.close() }
        let tools: [JSONObject]
        do throws(ServerConnection.Failure) {
            _ = try connection.initialize()
            tools = try connection.listTools()
        } catch {
            throw CommandLineError("init: \(error)", exitCode: CommandLineError.ExitCode.failure.rawValue)
        }
        let starter = StarterManifest(serverName: StarterManifest.serverName(for: serverCommand), command: serverCommand, tools: tools)
        print(starter.json.prettyText, terminator: "")
        let allowed = tools.filter { StarterManifest.proposedRule(for: $0)["allow"] == .bool(true) }.count
        Diagnostics.standardError.report("init: \(tools.count) tools listed; \(allowed) proposed allowed, \(tools.count - allowed) denied pending review")
        return 0
    }
}
