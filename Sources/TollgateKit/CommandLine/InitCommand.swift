/// `tollgate init -- COMMAND...`: starts the server, lists its tools (every page) and prints a
/// starter manifest on stdout as strict JSON.
struct InitCommand {
    let serverCommand: [String]

    func run() throws -> Int32 {
        let tools = try Self.listTools(ChildProcess.Configuration(arguments: serverCommand), for: "init")
        // Recorded so the manifest means the same wherever it is used: the directory the server
        // ran in, and a command given as a relative path made absolute.
        let directory = FileIO.currentDirectory()
        var command = serverCommand
        if command[0].utf8.contains(UInt8(ascii: "/")) { command[0] = FileIO.absolute(command[0], base: directory) }
        let schema = SchemaFile.locate()
        var starter = StarterManifest(serverName: StarterManifest.serverName(for: serverCommand), command: command, tools: tools,
                                      workingDirectory: directory, schema: schema.map(SchemaFile.uri) ?? "./\(SchemaFile.name)")
        starter.sandbox = StarterManifest.proposedSandbox(command: serverCommand, workingDirectory: directory, tools: tools)
        print(starter.json.prettyText, terminator: "")
        if schema == nil {
            Diagnostics.standardError.report("init: \(SchemaFile.name) was not found beside tollgate; copy it from Tollgate's manifests/ "
                                             + "next to the manifest for the $schema line to work")
        }
        let allowed = tools.filter { StarterManifest.proposedRule(for: $0)["allow"] == .bool(true) }.count
        Diagnostics.standardError.report("init: \(tools.count) tools listed; \(allowed) proposed allowed, \(tools.count - allowed) denied pending review")
        let networkTools = StarterManifest.networkTools(tools)
        let network = networkTools.isEmpty ? "no network (none of the tools suggests it uses one)"
            : "network allow, because \(networkTools.prefix(5).joined(separator: ", ")) suggest\(networkTools.count == 1 ? "s" : "") network use: "
                + "narrow it to {\"allowHosts\": [\"host:443\"]}"
        Diagnostics.standardError.report("init: the sandbox is a proposal to review: preset \(SandboxPreset.suggested(for: serverCommand).rawValue) "
                                         + "(from the command), \(directory) read-only, \(network); add what else the server reads "
                                         + "or writes, and check it with `tollgate doctor --manifest FILE`")
        return 0
    }

    /// Starts the server, lists its tools (every page) and stops it; a server that does not
    /// answer fails `command` (a ``SpawnError`` when it cannot start at all).
    static func listTools(_ configuration: ChildProcess.Configuration, for command: String) throws -> [JSONObject] {
        let connection = try ServerConnection(configuration)
        defer { connection.close() }
        do throws(ServerConnection.Failure) {
            _ = try connection.initialize()
            return try connection.listTools()
        } catch {
            throw CommandFailure.failed("\(command): \(error)")
        }
    }
}
