/// `tollgate doctor [--manifest FILE]`: what this machine offers sandboxes and resource limits
/// (``SandboxSupport``) and, with a manifest, whether each server's sandbox can be set up here.
struct DoctorCommand {
    let manifestPath: String?

    func run() throws(CommandFailure) -> Int32 {
        let support = SandboxSupport.probe()
        for line in support.report { print(line) }
        guard let manifestPath else { return 0 }
        let manifest = try loadManifest(manifestPath, options: ManifestLoadOptions(allowsUnsetVariables: true))
        var status: Int32 = 0
        let environment = FileIO.environment()
        for server in manifest.servers {
            guard let spec = server.sandbox else {
                print("server \(server.name): no sandbox")
                continue
            }
            guard let problem = support.problem(for: server, parentEnvironment: environment) else {
                print("server \(server.name): sandbox OK (\(spec.summary))")
                continue
            }
            if spec.required {
                print("server \(server.name): sandbox NOT AVAILABLE, the server would not start: \(problem)")
                status = CommandExit.Code.failure.rawValue
            } else {
                print("server \(server.name): sandbox not available, the server would run UNSANDBOXED (not required): \(problem)")
            }
        }
        return status
    }
}
